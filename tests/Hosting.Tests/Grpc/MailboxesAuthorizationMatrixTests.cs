using Google.Rpc;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Core.Shared;
using Hosting.Mailboxes.V1;
using Hosting.Organizations.V1;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using CoreProduct = Hosting.Core.Organizations.Product;
using CoreProductType = Hosting.Core.Organizations.ProductType;

namespace Hosting.Tests.Grpc;

/// <summary>Every Mailboxes RPC as each role; the RPC list comes from the service descriptor.</summary>
public sealed class MailboxesAuthorizationMatrixTests(HostFactory host) : IClassFixture<HostFactory>
{
    public enum Role
    {
        SignedOut,
        Outsider,
        LimitedWithoutMailService,
        LimitedWithMailService,
        Administrator,
        LegalRepresentative,
    }

    private sealed record Outcome(StatusCode Code, string Reason);

    private sealed record Org(string Name, string MailService, string Mailbox, string Address, string Credential);

    private static readonly string[] Denials =
        ["SESSION_REQUIRED", "ORGANIZATION_NOT_FOUND", "MAIL_SERVICE_RIGHTS_REQUIRED", "PRODUCT_ACCESS_REQUIRED", "API_KEY_REQUIRED", "MAILBOX_PASSWORD_REQUIRED"];

    private static Outcome? MailServiceRights(Role role) => role switch
    {
        Role.SignedOut => new(StatusCode.Unauthenticated, "SESSION_REQUIRED"),
        Role.Outsider => new(StatusCode.NotFound, "ORGANIZATION_NOT_FOUND"),
        Role.LimitedWithoutMailService => new(StatusCode.PermissionDenied, "MAIL_SERVICE_RIGHTS_REQUIRED"),
        _ => null,
    };

    private static Outcome? ProductRights(Role role) => role == Role.LimitedWithoutMailService
        ? new(StatusCode.PermissionDenied, "PRODUCT_ACCESS_REQUIRED")
        : MailServiceRights(role);

    private static Outcome? OwnWebmail(Role role) => role == Role.SignedOut ? new(StatusCode.Unauthenticated, "SESSION_REQUIRED") : null;

    private static Outcome? LinkWithoutPassword(Role role) => role switch
    {
        Role.SignedOut => new(StatusCode.Unauthenticated, "SESSION_REQUIRED"),
        Role.Outsider or Role.LimitedWithoutMailService => new(StatusCode.PermissionDenied, "MAILBOX_PASSWORD_REQUIRED"),
        _ => null,
    };

    private Dictionary<string, (Func<MailboxesService.MailboxesServiceClient, Org, Metadata, Task> Call, Func<Role, Outcome?> Expected)> Cases() => new()
    {
        ["CreateMailbox"] = ((c, o, m) => c.CreateMailboxAsync(new CreateMailboxRequest { Parent = o.MailService, LocalPart = $"b{Guid.NewGuid():N}"[..12], Password = "mailbox secret words 1" }, m).ResponseAsync, MailServiceRights),
        ["ListMailboxes"] = ((c, o, m) => c.ListMailboxesAsync(new ListMailboxesRequest { Parent = o.MailService }, m).ResponseAsync, MailServiceRights),
        ["DeleteMailbox"] = ((c, o, m) => c.DeleteMailboxAsync(new DeleteMailboxRequest { Name = o.Mailbox }, m).ResponseAsync, MailServiceRights),
        ["SetMailboxPassword"] = ((c, o, m) => c.SetMailboxPasswordAsync(new SetMailboxPasswordRequest { Name = o.Mailbox, NewPassword = "another mailbox secret 2" }, m).ResponseAsync, MailServiceRights),
        ["AcceptPasswordUnification"] = ((c, o, m) => c.AcceptPasswordUnificationAsync(new AcceptPasswordUnificationRequest { Name = o.Mailbox, MailboxPassword = "x" }, m).ResponseAsync, MailServiceRights),
        ["CheckMailboxCredentials"] = ((c, o, m) => c.CheckMailboxCredentialsAsync(new CheckMailboxCredentialsRequest { Address = o.Address, Password = "mailbox secret words 1" }, m).ResponseAsync,
            _ => new Outcome(StatusCode.Unauthenticated, "API_KEY_REQUIRED")),
        ["LinkWebmail"] = ((c, o, m) => c.LinkWebmailAsync(new LinkWebmailRequest { Address = o.Address }, m).ResponseAsync, LinkWithoutPassword),
        ["UnlinkWebmail"] = ((c, o, m) => c.UnlinkWebmailAsync(new UnlinkWebmailRequest { Address = o.Address }, m).ResponseAsync, OwnWebmail),
        ["ListWebmailMailboxes"] = ((c, o, m) => c.ListWebmailMailboxesAsync(new ListWebmailMailboxesRequest(), m).ResponseAsync, OwnWebmail),
        ["ReconfirmWebmail"] = ((c, o, m) => c.ReconfirmWebmailAsync(new ReconfirmWebmailRequest { Address = o.Address, MailboxPassword = "mailbox secret words 1" }, m).ResponseAsync, OwnWebmail),
        ["CreateProductCredential"] = ((c, o, m) => c.CreateProductCredentialAsync(new CreateProductCredentialRequest { Parent = o.MailService, Kind = CredentialKind.Ftp, Username = $"u{Guid.NewGuid():N}"[..10], Password = "ftp secret words 1" }, m).ResponseAsync, ProductRights),
        ["ListProductCredentials"] = ((c, o, m) => c.ListProductCredentialsAsync(new ListProductCredentialsRequest { Parent = o.MailService }, m).ResponseAsync, ProductRights),
        ["SetProductCredentialPassword"] = ((c, o, m) => c.SetProductCredentialPasswordAsync(new SetProductCredentialPasswordRequest { Name = o.Credential, Password = "ftp secret words 2" }, m).ResponseAsync, ProductRights),
    };

    [Fact]
    [Trait("Rule", "API-2")]
    [Trait("Rule", "MBX-3")]
    public async Task EveryRpc_AsEveryRole_IsAllowedOrDeniedAsTheRulesSay()
    {
        var cases = Cases();
        var rpcs = MailboxesService.Descriptor.Methods.Select(m => m.Name).ToList();
        Assert.Empty(rpcs.Except(cases.Keys));

        var accounts = host.Accounts();
        var tokens = new Dictionary<Role, string>();
        var logins = new Dictionary<Role, string>();
        foreach (var role in Enum.GetValues<Role>().Where(r => r != Role.SignedOut))
        {
            logins[role] = $"{role}-{Guid.NewGuid():N}@example.com".ToLowerInvariant();
            await accounts.SignUpAsync(new SignUpRequest { Login = logins[role], Password = Passwords.Good });
            tokens[role] = (await accounts.SignInAsync(new SignInRequest { Login = logins[role], Password = Passwords.Good })).SessionToken;
            await host.ConfirmLoginAsync(logins[role], Bearer.Of(tokens[role]));
        }

        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        var client = new MailboxesService.MailboxesServiceClient(host.Channel());
        var failures = new List<string>();
        foreach (var rpc in rpcs)
        {
            var org = await SetUpAsync(organizations, client, tokens, logins);
            foreach (var role in Enum.GetValues<Role>())
            {
                var metadata = role == Role.SignedOut ? [] : Bearer.Of(tokens[role]);
                var expected = cases[rpc].Expected(role);
                Outcome? outcome = null;
                try
                {
                    await cases[rpc].Call(client, org, metadata);
                }
                catch (RpcException e)
                {
                    outcome = new Outcome(e.StatusCode, e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason ?? "(no ErrorInfo)");
                }

                if (expected is null && outcome is not null && Denials.Contains(outcome.Reason))
                {
                    failures.Add($"{rpc} as {role}: expected allowed, got {outcome}");
                }
                else if (expected is not null && outcome != expected)
                {
                    failures.Add($"{rpc} as {role}: expected {expected}, got {outcome?.ToString() ?? "OK"}");
                }
            }
        }

        Assert.Empty(failures);
    }

    private async Task<Org> SetUpAsync(OrganizationsService.OrganizationsServiceClient organizations, MailboxesService.MailboxesServiceClient client, Dictionary<Role, string> tokens, Dictionary<Role, string> logins)
    {
        var owner = Bearer.Of(tokens[Role.LegalRepresentative]);
        var organization = (await organizations.CreateOrganizationAsync(new CreateOrganizationRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
            },
        }, owner)).Organization.Name;
        var organizationId = Guid.Parse(organization.Split('/')[1]);
        var domain = $"d{Guid.NewGuid():N}.example"[..20] + ".ch";
        Guid productId;
        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
            var product = CoreProduct.Order(Guid.NewGuid(), organizationId, CoreProductType.MailService, domain, Money.FromTrusted(1800, "CHF"), host.Clock.GetUtcNow()).Value;
            product.Activate(host.Clock.GetUtcNow().AddYears(1));
            db.Add(product);
            db.SaveChanges();
            productId = product.Id;
        }

        var mailService = $"{organization}/products/{productId}";
        foreach (var (role, rights) in new[]
        {
            (Role.Administrator, new Hosting.Organizations.V1.MemberRights { Administrator = true }),
            (Role.LimitedWithMailService, new Hosting.Organizations.V1.MemberRights { ProductIds = { mailService } }),
            (Role.LimitedWithoutMailService, new Hosting.Organizations.V1.MemberRights()),
        })
        {
            var invitation = (await organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = logins[role], Rights = rights }, owner)).Invitation;
            await organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Name }, Bearer.Of(tokens[role]));
        }

        var mailbox = (await client.CreateMailboxAsync(new CreateMailboxRequest { Parent = mailService, LocalPart = "info", Password = "mailbox secret words 1" }, owner)).Mailbox;
        var credential = (await client.CreateProductCredentialAsync(new CreateProductCredentialRequest { Parent = mailService, Kind = CredentialKind.Ssh, Username = "deploy", Password = "ssh secret words 1" }, owner)).Credential;
        return new Org(organization, mailService, mailbox.Name, mailbox.Address, credential.Name);
    }
}
