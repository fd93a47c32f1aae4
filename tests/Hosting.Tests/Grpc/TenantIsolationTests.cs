using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;
using Microsoft.Extensions.DependencyInjection;
using CoreProduct = Hosting.Core.Organizations.Product;
using CoreProductType = Hosting.Core.Organizations.ProductType;

namespace Hosting.Tests.Grpc;

/// <summary>
/// Every RPC of every service (read from the descriptors, so a new RPC is swept without a case),
/// called by people without rights on a target organization with each of its resource names in
/// every string field of the request. Nothing of the target may come back, in a reply or an
/// error, and nothing of it may change. The exact denial of each RPC for each role is asserted
/// by the per-service matrices (OrganizationsAuthorizationMatrixTests,
/// MailboxesAuthorizationMatrixTests, and the billing and wallet rights tests).
/// </summary>
public sealed class TenantIsolationTests(HostFactory host) : IClassFixture<HostFactory>
{
    /// <summary>Text that exists only in the target organization's data.</summary>
    private const string Marker = "zzleak";

    /// <summary>Text only in the target's billing data, which its members without billing rights may not see either.</summary>
    private const string BillingMarker = "zzbill";

    public enum Role
    {
        /// <summary>Signed in, member of another organization only.</summary>
        Outsider,

        /// <summary>A member of the target limited to no product and without billing rights.</summary>
        LimitedMember,
    }

    [Theory]
    [InlineData(Role.Outsider)]
    [InlineData(Role.LimitedMember)]
    [Trait("Rule", "API-2")]
    [Trait("Rule", "BIL-2")]
    [Trait("Rule", "ORG-3")]
    public async Task EveryRpc_AimedAtAnOrganizationWithoutRights_LeaksNothingOfIt_AndChangesNothing(Role role)
    {
        var target = await TargetAsync();
        var caller = await CallerAsync(role, target);
        var before = await SnapshotAsync(target, role);
        var invoker = host.Channel().CreateCallInvoker();
        var leaks = new List<string>();
        var calls = 0;

        // Leaving is a member's own right; had the limited member left, it would sweep on as an outsider.
        foreach (var method in Rpcs.Services.SelectMany(s => s.Methods).Where(m => role != Role.LimitedMember || m.Name != "LeaveOrganization"))
        {
            var headers = Bearer.Of(await SignInAsync(caller));
            var rpc = Rpcs.Unary(method);
            foreach (var name in target.Names)
            {
                calls++;
                var request = Aim(method.InputType, name, depth: 0);
                string reply;
                try
                {
                    var response = await invoker.AsyncUnaryCall(rpc, null, new CallOptions(headers), request);
                    reply = method.OutputType.Parser.ParseFrom(response)?.ToString() ?? "";
                    if (role == Role.Outsider && reply.Contains(target.Id, StringComparison.OrdinalIgnoreCase))
                    {
                        // Numbers carry no marker: an outsider's successful reply may not name the target at all.
                        leaks.Add($"{method.FullName} with {name} answered about the target: {reply[..Math.Min(reply.Length, 200)]}");
                    }
                }
                catch (RpcException e)
                {
                    // Strings travel as UTF-8 inside the binary details, so the marker is found there too.
                    reply = $"{e.Status.Detail} " + Encoding.UTF8.GetString(e.Trailers.GetValueBytes("grpc-status-details-bin") ?? []);
                }

                if ((role == Role.Outsider && reply.Contains(Marker, StringComparison.OrdinalIgnoreCase))
                    || reply.Contains(BillingMarker, StringComparison.OrdinalIgnoreCase))
                {
                    leaks.Add($"{method.FullName} with {name}: {reply[..Math.Min(reply.Length, 200)]}");
                }
            }
        }

        Assert.True(calls >= (Rpcs.Services.Sum(s => s.Methods.Count) - 1) * target.Names.Count);
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Take(20)));
        var after = await SnapshotAsync(target, role);
        Assert.Equal(before.Split('\n'), after.Split('\n'));
    }

    /// <summary>A request whose every string field holds <paramref name="name"/>, and whose nested messages do too.</summary>
    private static byte[] Aim(MessageDescriptor descriptor, string name, int depth)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        foreach (var field in descriptor.Fields.InFieldNumberOrder().Where(f => !f.IsMap))
        {
            switch (field.FieldType)
            {
                case FieldType.String:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                    output.WriteString(field.Name is "request_id" ? $"iso-{Guid.NewGuid():N}" : name);
                    break;
                case FieldType.Message when depth < 2 && field.MessageType.FullName.StartsWith("hosting.", StringComparison.Ordinal):
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                    output.WriteBytes(ByteString.CopyFrom(Aim(field.MessageType, name, depth + 1)));
                    break;
                case FieldType.Int64 when field.Name.Contains("minor", StringComparison.Ordinal):
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                    output.WriteInt64(1_000);
                    break;
            }
        }

        output.Flush();
        return buffer.ToArray();
    }

    private sealed record Target(string Organization, string OwnerLogin, Metadata Owner, IReadOnlyList<string> Names, string LimitedLogin)
    {
        public string Id => Organization.Split('/')[1];
    }

    private async Task<Target> TargetAsync()
    {
        var accounts = host.Accounts();
        var ownerLogin = $"{Marker}-owner-{Guid.NewGuid():N}@example.com";
        var owner = Bearer.Of(await SignUpAndInAsync(ownerLogin));
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        var organization = (await organizations.CreateOrganizationAsync(new CreateOrganizationRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = Hosting.Organizations.V1.HolderKind.Company, FirstName = "Zzleak", LastName = "Owner", CompanyName = $"{Marker} SA",
                Street = $"{Marker} street 1", PostalCode = "1200", City = $"{Marker}ville", Country = "CH",
            },
        }, owner)).Organization.Name;
        var organizationId = Guid.Parse(organization.Split('/')[1]);

        var limitedLogin = $"limited-{Guid.NewGuid():N}@example.com";
        await accounts.SignUpAsync(new SignUpRequest { Login = limitedLogin, Password = Passwords.Good });
        var invitation = await organizations.CreateInvitationAsync(new CreateInvitationRequest
        {
            Parent = organization, Email = limitedLogin, Rights = new Hosting.Organizations.V1.MemberRights(),
        }, owner);
        var limited = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = limitedLogin, Password = Passwords.Good })).SessionToken);
        await host.ConfirmLoginAsync(limitedLogin, limited);
        await organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Invitation.Name }, limited);
        var pending = await organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = $"{Marker}-guest@example.com" }, owner);

        var product = AddProduct(organizationId);
        var billing = new BillingService.BillingServiceClient(host.Channel());
        var address = await billing.CreateBillingAddressAsync(new CreateBillingAddressRequest
        {
            Parent = organization,
            BillingAddress = new Hosting.Billing.V1.BillingAddress { Recipient = $"{BillingMarker} accounts", Street = "Rue 2", PostalCode = "1200", City = "Geneva", Country = "CH" },
        }, owner);
        var wallet = new WalletService.WalletServiceClient(host.Channel());
        await wallet.TopUpWalletAsync(new TopUpWalletRequest
        {
            Parent = organization, Amount = new Money { Minor = 50_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "iso-fund",
        }, owner);
        var invoice = (await billing.CheckoutAsync(new CheckoutRequest { Parent = organization, Products = { product }, PaymentMethod = "wallet", RequestId = "iso-pay" }, owner)).Invoice.Name;
        var withdrawal = (await wallet.CreateWithdrawalAsync(new CreateWithdrawalRequest
        {
            Parent = organization, Amount = new Money { Minor = 1_000, Currency = "CHF" }, PaypalEmail = $"{BillingMarker}@example.com", RequestId = "iso-out",
        }, owner)).Withdrawal.Name;

        var me = (await accounts.GetAccountAsync(new GetAccountRequest(), owner)).Account;
        string[] names =
        [
            organization,
            $"{organization}/members/{me.Name.Split('/')[1]}",
            invitation.Invitation.Name,
            pending.Invitation.Name,
            product,
            address.BillingAddress.Name,
            $"{organization}/wallets/CHF",
            invoice,
            withdrawal,
        ];
        return new Target(organization, ownerLogin, owner, names, limitedLogin);
    }

    private async Task<string> CallerAsync(Role role, Target target)
    {
        if (role == Role.LimitedMember)
        {
            return target.LimitedLogin;
        }

        var login = $"outsider-{Guid.NewGuid():N}@example.com";
        var auth = Bearer.Of(await SignUpAndInAsync(login));
        await new OrganizationsService.OrganizationsServiceClient(host.Channel()).CreateOrganizationAsync(new CreateOrganizationRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = Hosting.Organizations.V1.HolderKind.Individual, FirstName = "Otto", LastName = "Side", Street = "Weg 1", PostalCode = "8000", City = "Zurich", Country = "CH",
            },
        }, auth);
        return login;
    }

    /// <summary>What the target's owner sees of it, the limited member's own rights included.</summary>
    private async Task<string> SnapshotAsync(Target target, Role role)
    {
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        var billing = new BillingService.BillingServiceClient(host.Channel());
        var wallet = new WalletService.WalletServiceClient(host.Channel());
        var o = Bearer.Of(await SignInAsync(target.OwnerLogin)); // the sweep's clock may have idled the first session out
        var parts = new List<IMessage>
        {
            await billing.ListBillingAddressesAsync(new ListBillingAddressesRequest { Parent = target.Organization, PageSize = 200 }, o),
            await billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = target.Organization, PageSize = 200 }, o),
            await billing.ListVouchersAsync(new ListVouchersRequest { Parent = target.Organization, PageSize = 200 }, o),
            await billing.ListCreditNotesAsync(new ListCreditNotesRequest { Parent = target.Organization, PageSize = 200 }, o),
            await wallet.ListWalletsAsync(new ListWalletsRequest { Parent = target.Organization, PageSize = 200 }, o),
            await wallet.ListWithdrawalsAsync(new ListWithdrawalsRequest { Parent = target.Organization, PageSize = 200 }, o),
            await wallet.ListLedgerTransactionsAsync(new ListLedgerTransactionsRequest { Parent = $"{target.Organization}/wallets/CHF", PageSize = 200 }, o),
            await organizations.ListProductsAsync(new ListProductsRequest { Parent = target.Organization, PageSize = 200 }, o),
            await organizations.ListInvitationsAsync(new ListInvitationsRequest { Parent = target.Organization, PageSize = 200 }, o),
        };
        var organization = (await organizations.GetOrganizationAsync(new GetOrganizationRequest { Name = target.Organization }, o)).Organization.Clone();
        organization.Me = null;
        parts.Add(organization);
        var members = await organizations.ListMembersAsync(new ListMembersRequest { Parent = target.Organization, PageSize = 200 }, o);
        parts.AddRange(members.Members.Select(m =>
        {
            return (IMessage)m;
        }));
        return string.Join("\n", parts.Select(p => p.ToString()));
    }

    private async Task<string> SignUpAndInAsync(string login)
    {
        await host.Accounts().SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
        var token = await SignInAsync(login);
        await host.ConfirmLoginAsync(login, Bearer.Of(token));
        return token;
    }

    private async Task<string> SignInAsync(string login)
    {
        // Sign-ins with wrong passwords swept at SignIn may lock the login for a while.
        host.Clock.Advance(TimeSpan.FromMinutes(20));
        return (await host.Accounts().SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken;
    }

    private string AddProduct(Guid organizationId)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
        var product = CoreProduct.Order(Guid.NewGuid(), organizationId, CoreProductType.DomainName, $"{Marker}.ch", Hosting.Core.Shared.Money.FromTrusted(0, "CHF"), host.Clock.GetUtcNow()).Value;
        db.Add(product);
        db.SaveChanges();
        return $"organizations/{organizationId}/products/{product.Id}";
    }
}
