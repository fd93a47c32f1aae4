using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Core.Shared;
using Hosting.Organizations.V1;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using CoreProduct = Hosting.Core.Organizations.Product;
using CoreProductType = Hosting.Core.Organizations.ProductType;

namespace Hosting.Tests.Grpc;

/// <summary>
/// Every Organizations RPC as each role (API-2, ORG-3, ORG-7): legal representative,
/// administrator, limited member with and without billing rights, member of another
/// organization, signed out. The RPC list is read from the service descriptor, so an RPC
/// without a row fails the test.
/// </summary>
public sealed class OrganizationsAuthorizationMatrixTests(HostFactory host) : IClassFixture<HostFactory>
{
    public enum Role
    {
        SignedOut,
        Outsider,
        LimitedWithoutBilling,
        LimitedWithBilling,
        Administrator,
        LegalRepresentative,
    }

    /// <summary>Null means allowed: any outcome but a denial.</summary>
    private sealed record Expect(StatusCode Code, string Reason);

    private static readonly string[] DenialReasons =
        ["SESSION_REQUIRED", "SESSION_INVALID", "ORGANIZATION_NOT_FOUND", "ADMINISTRATOR_REQUIRED", "LEGAL_REPRESENTATIVE_REQUIRED", "PRODUCT_ACCESS_REQUIRED"];

    private static readonly Expect Unauthenticated = new(StatusCode.Unauthenticated, "SESSION_REQUIRED");
    private static readonly Expect Hidden = new(StatusCode.NotFound, "ORGANIZATION_NOT_FOUND");
    private static readonly Expect NotManager = new(StatusCode.PermissionDenied, "ADMINISTRATOR_REQUIRED");
    private static readonly Expect NotRepresentative = new(StatusCode.PermissionDenied, "LEGAL_REPRESENTATIVE_REQUIRED");

    private sealed record Org(string Name, Guid Id, string LimitedMember, string Product, string Invitation, string AdministratorMember);

    private static Expect? AnySignedIn(Role role) => role == Role.SignedOut ? Unauthenticated : null;

    private static Expect? Members(Role role) => role switch
    {
        Role.SignedOut => Unauthenticated,
        Role.Outsider => Hidden,
        _ => null,
    };

    private static Expect? Managers(Role role) => role switch
    {
        Role.SignedOut => Unauthenticated,
        Role.Outsider => Hidden,
        Role.LimitedWithBilling or Role.LimitedWithoutBilling => NotManager,
        _ => null,
    };

    private static Expect? Representatives(Role role) => role switch
    {
        Role.SignedOut => Unauthenticated,
        Role.Outsider => Hidden,
        Role.LimitedWithBilling or Role.LimitedWithoutBilling or Role.Administrator => NotRepresentative,
        _ => null,
    };

    private Dictionary<string, (Func<OrganizationsService.OrganizationsServiceClient, Org, Metadata, Task> Call, Func<Role, Expect?> Expected)> Cases() => new()
    {
        ["OrderFirstProduct"] = ((c, o, m) => c.OrderFirstProductAsync(new OrderFirstProductRequest
        {
            ContactDetails = Contact(), Login = $"first-{Guid.NewGuid():N}@example.com", Password = Passwords.Good,
            ProductType = Hosting.Organizations.V1.ProductType.DomainName, ProductDisplayName = "first.ch",
        }, m).ResponseAsync, _ => null),
        ["CreateOrganization"] = ((c, o, m) => c.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, m).ResponseAsync, AnySignedIn),
        ["GetOrganization"] = ((c, o, m) => c.GetOrganizationAsync(new GetOrganizationRequest { Name = o.Name }, m).ResponseAsync, Members),
        ["ListOrganizations"] = ((c, o, m) => c.ListOrganizationsAsync(new ListOrganizationsRequest(), m).ResponseAsync, AnySignedIn),
        ["SwitchOrganization"] = ((c, o, m) => c.SwitchOrganizationAsync(new SwitchOrganizationRequest { Name = o.Name }, m).ResponseAsync, Members),
        ["UpdateOrganization"] = ((c, o, m) => c.UpdateOrganizationAsync(new UpdateOrganizationRequest
        {
            Organization = new Hosting.Organizations.V1.Organization { Name = o.Name, ContactDetails = new Hosting.Organizations.V1.ContactDetails { City = "Bern" } },
            UpdateMask = new FieldMask { Paths = { "contact_details.city" } },
        }, m).ResponseAsync, Managers),
        ["DeleteOrganization"] = ((c, o, m) => c.DeleteOrganizationAsync(new DeleteOrganizationRequest { Name = o.Name }, m).ResponseAsync, Representatives),
        ["ListMembers"] = ((c, o, m) => c.ListMembersAsync(new ListMembersRequest { Parent = o.Name }, m).ResponseAsync, Members),
        ["UpdateMember"] = ((c, o, m) => c.UpdateMemberAsync(new UpdateMemberRequest
        {
            Member = new Member { Name = o.LimitedMember, Rights = new Hosting.Organizations.V1.MemberRights { Billing = true } },
            UpdateMask = new FieldMask { Paths = { "rights.billing" } },
        }, m).ResponseAsync, Managers),
        ["RemoveMember"] = ((c, o, m) => c.RemoveMemberAsync(new RemoveMemberRequest { Name = o.LimitedMember }, m).ResponseAsync, Managers),
        ["LeaveOrganization"] = ((c, o, m) => c.LeaveOrganizationAsync(new LeaveOrganizationRequest { Name = o.Name }, m).ResponseAsync, Members),
        ["CreateInvitation"] = ((c, o, m) => c.CreateInvitationAsync(new CreateInvitationRequest { Parent = o.Name, Email = $"new-{Guid.NewGuid():N}@example.com" }, m).ResponseAsync, Managers),
        ["ListInvitations"] = ((c, o, m) => c.ListInvitationsAsync(new ListInvitationsRequest { Parent = o.Name }, m).ResponseAsync, Managers),
        ["ResendInvitation"] = ((c, o, m) => c.ResendInvitationAsync(new ResendInvitationRequest { Name = o.Invitation }, m).ResponseAsync, Managers),
        ["RevokeInvitation"] = ((c, o, m) => c.RevokeInvitationAsync(new RevokeInvitationRequest { Name = o.Invitation }, m).ResponseAsync, Managers),
        ["ListMyInvitations"] = ((c, o, m) => c.ListMyInvitationsAsync(new ListMyInvitationsRequest(), m).ResponseAsync, AnySignedIn),
        // The invitation is addressed to nobody of the roles: every signed-in caller is told it does not exist.
        ["AcceptInvitation"] = ((c, o, m) => c.AcceptInvitationAsync(new AcceptInvitationRequest { Name = o.Invitation }, m).ResponseAsync,
            role => role == Role.SignedOut ? Unauthenticated : new Expect(StatusCode.NotFound, "INVITATION_NOT_FOUND")),
        ["ProposeLegalRepresentative"] = ((c, o, m) => c.ProposeLegalRepresentativeAsync(new ProposeLegalRepresentativeRequest { Member = o.AdministratorMember }, m).ResponseAsync, Representatives),
        ["AcceptLegalRepresentative"] = ((c, o, m) => c.AcceptLegalRepresentativeAsync(new AcceptLegalRepresentativeRequest { Name = o.Name }, m).ResponseAsync, Members),
        ["ListProducts"] = ((c, o, m) => c.ListProductsAsync(new ListProductsRequest { Parent = o.Name }, m).ResponseAsync, Members),
        ["TerminateProduct"] = ((c, o, m) => c.TerminateProductAsync(new TerminateProductRequest { Name = o.Product }, m).ResponseAsync, Managers),
        ["SetLogo"] = ((c, o, m) => c.SetLogoAsync(new SetLogoRequest { Parent = o.Name, Content = ByteString.CopyFromUtf8("not a png") }, m).ResponseAsync, Managers),
        ["GetLogo"] = ((c, o, m) => c.GetLogoAsync(new GetLogoRequest { Parent = o.Name }, m).ResponseAsync, Members),
        ["DeleteLogo"] = ((c, o, m) => c.DeleteLogoAsync(new DeleteLogoRequest { Parent = o.Name }, m).ResponseAsync, Managers),
    };

    [Fact]
    [Trait("Rule", "API-2")]
    [Trait("Rule", "ORG-7")]
    public async Task EveryRpc_AsEveryRole_IsAllowedOrDeniedAsTheRulesSay()
    {
        var cases = Cases();
        var rpcs = OrganizationsService.Descriptor.Methods.Select(m => m.Name).ToList();
        Assert.Empty(rpcs.Except(cases.Keys));

        var accounts = host.Accounts();
        var tokens = new Dictionary<Role, string>();
        foreach (var role in System.Enum.GetValues<Role>().Where(r => r != Role.SignedOut))
        {
            var login = $"{role}-{Guid.NewGuid():N}@example.com".ToLowerInvariant();
            await accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
            tokens[role] = (await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken;
            await host.ConfirmLoginAsync(login, Bearer.Of(tokens[role]));
        }

        var client = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        await client.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, Bearer.Of(tokens[Role.Outsider]));
        var failures = new List<string>();
        foreach (var rpc in rpcs)
        {
            var org = await SetUpAsync(client, tokens);
            // Least privileged first: a denial changes nothing, so later roles see the same organization.
            foreach (var role in System.Enum.GetValues<Role>())
            {
                var metadata = role == Role.SignedOut ? [] : Bearer.Of(tokens[role]);
                var expected = cases[rpc].Expected(role);
                var outcome = await OutcomeAsync(() => cases[rpc].Call(client, org, metadata));
                if (expected is null && outcome is { } denied && DenialReasons.Contains(denied.Reason))
                {
                    failures.Add($"{rpc} as {role}: expected allowed, got {denied.Code} {denied.Reason}");
                }
                else if (expected is not null && outcome != expected)
                {
                    failures.Add($"{rpc} as {role}: expected {expected.Code} {expected.Reason}, got {(outcome is null ? "OK" : $"{outcome.Code} {outcome.Reason}")}");
                }
            }
        }

        Assert.Empty(failures);
    }

    private static async Task<Expect?> OutcomeAsync(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (RpcException e)
        {
            return new Expect(e.StatusCode, e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason ?? "(no ErrorInfo)");
        }
    }

    private async Task<Org> SetUpAsync(OrganizationsService.OrganizationsServiceClient client, Dictionary<Role, string> tokens)
    {
        var owner = Bearer.Of(tokens[Role.LegalRepresentative]);
        var organization = (await client.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, owner)).Organization;
        var id = Guid.Parse(organization.Name.Split('/')[1]);
        var product = AddProduct(id);
        var members = new Dictionary<Role, string>();
        foreach (var (role, rights) in new[]
        {
            (Role.Administrator, new Hosting.Organizations.V1.MemberRights { Administrator = true, Billing = true }),
            (Role.LimitedWithBilling, new Hosting.Organizations.V1.MemberRights { Billing = true, ProductIds = { product } }),
            (Role.LimitedWithoutBilling, new Hosting.Organizations.V1.MemberRights { ProductIds = { product } }),
        })
        {
            var me = (await new AccountsService.AccountsServiceClient(host.Channel()).GetAccountAsync(new GetAccountRequest(), Bearer.Of(tokens[role]))).Account;
            var invitation = (await client.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization.Name, Email = me.Login, Rights = rights }, owner)).Invitation;
            await client.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Name }, Bearer.Of(tokens[role]));
            members[role] = $"{organization.Name}/members/{me.Name.Split('/')[1]}";
        }

        var pending = (await client.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization.Name, Email = $"pending-{Guid.NewGuid():N}@example.com" }, owner)).Invitation;
        return new Org(organization.Name, id, members[Role.LimitedWithoutBilling], product, pending.Name, members[Role.Administrator]);
    }

    private string AddProduct(Guid organizationId)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
        var product = CoreProduct.Order(Guid.NewGuid(), organizationId, CoreProductType.WebHosting, "site", Money.FromTrusted(9600, "CHF"), host.Clock.GetUtcNow()).Value;
        product.Activate(host.Clock.GetUtcNow().AddYears(1));
        db.Add(product);
        db.SaveChanges();
        return $"organizations/{organizationId}/products/{product.Id}";
    }

    private static Hosting.Organizations.V1.ContactDetails Contact() => new()
    {
        Kind = Hosting.Organizations.V1.HolderKind.Company,
        FirstName = "Ann",
        LastName = "Meier",
        CompanyName = "Meier Web",
        Street = "Rue du Lac 1",
        PostalCode = "1200",
        City = "Geneva",
        Country = "CH",
    };
}
