using Google.Rpc;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CoreProduct = Hosting.Core.Organizations.Product;
using CoreProductType = Hosting.Core.Organizations.ProductType;

namespace Hosting.Tests.Grpc;

public abstract class BillingGrpcTestsBase<TFactory>(TFactory host) : IClassFixture<TFactory>
    where TFactory : HostFactory
{
    private BillingService.BillingServiceClient _billing => new(host.Channel());
    private OrganizationsService.OrganizationsServiceClient _organizations => new(host.Channel());
    private WalletService.WalletServiceClient _wallet => new(host.Channel());
    private AccountsService.AccountsServiceClient _accounts => host.Accounts();

    private async Task<(Metadata Auth, string Login)> UserAsync()
    {
        var login = $"billing-{Guid.NewGuid():N}@example.com";
        return (await host.SignedUpAsync(login), login);
    }

    private async Task<(Metadata Owner, string Organization)> OrganizationAsync(long balance)
    {
        var (owner, _) = await UserAsync();
        var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = HolderKind.Company, FirstName = "Ann", LastName = "Meier", CompanyName = "Meier Web", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
            },
        }, owner)).Organization.Name;
        if (balance > 0)
        {
            await _wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = new Hosting.Wallets.V1.Money { Minor = balance, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "fund" }, owner);
        }

        return (owner, organization);
    }

    private string AddProduct(string organization, CoreProductType type = CoreProductType.DomainName)
    {
        var organizationId = Guid.Parse(organization.Split('/')[1]);
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
        var product = CoreProduct.Order(Guid.NewGuid(), organizationId, type, "item", Hosting.Core.Shared.Money.FromTrusted(0, "CHF"), host.Clock.GetUtcNow()).Value;
        db.Add(product);
        db.SaveChanges();
        return $"{organization}/products/{product.Id}";
    }

    [SkippableFact]
    [Trait("Rule", "BIL-5")]
    public async Task ConcurrentCheckouts_GetInvoiceNumbersWithoutGapOrDuplicate()
    {
        host.SkipUnlessAvailable();
        var buyers = new List<(Metadata Owner, string Organization, string Product)>();
        for (var i = 0; i < 6; i++)
        {
            var (owner, organization) = await OrganizationAsync(100_000);
            buyers.Add((owner, organization, AddProduct(organization)));
        }

        // Some checkouts fail (declined): they must not consume a number.
        var results = await Task.WhenAll(buyers.SelectMany((b, i) => Enumerable.Range(0, 4).Select(async j =>
        {
            try
            {
                var method = (i + j) % 5 == 0 ? "sim-decline" : j % 2 == 0 ? "wallet" : "sim-success";
                return (await _billing.CheckoutAsync(new CheckoutRequest { Parent = b.Organization, Products = { b.Product }, PaymentMethod = method, RequestId = $"c{j}" }, b.Owner)).Invoice.Number;
            }
            catch (RpcException)
            {
                return null;
            }
        })));

        using var scope = host.Services.CreateScope();
        var invoices = scope.ServiceProvider.GetRequiredService<HostingDbContext>().Set<Hosting.Core.Billing.Invoice>();
        var numbers = await invoices.Select(i => i.SequenceNumber).OrderBy(n => n).ToListAsync();
        Assert.Equal(Enumerable.Range(1, numbers.Count).Select(n => (long)n), numbers);
        var buyerIds = buyers.Select(b => Guid.Parse(b.Organization.Split('/')[1])).ToList();
        Assert.Equal(results.Count(r => r is not null), await invoices.CountAsync(i => buyerIds.Contains(i.OrganizationId)));
        Assert.Contains(results, r => r is null);
    }

    [SkippableFact]
    [Trait("Rule", "BIL-5")]
    public async Task PaidInvoice_DownloadsAsAPdfShowingItsNumberAndTotal()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationAsync(50_000);
        var product = AddProduct(organization, CoreProductType.WebHosting);

        var invoice = (await _billing.CheckoutAsync(new CheckoutRequest { Parent = organization, Products = { product }, PaymentMethod = "wallet", RequestId = "pdf" }, owner)).Invoice;
        var pdf = (await _billing.GetInvoicePdfAsync(new GetInvoicePdfRequest { Name = invoice.Name }, owner)).Pdf.ToByteArray();

        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        var text = string.Join(' ', document.GetPages().Select(p => p.Text));
        Assert.Contains(invoice.Number, text, StringComparison.Ordinal);
        Assert.Contains("103.78 CHF", text, StringComparison.Ordinal);
        var history = await _billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization }, owner);
        Assert.Equal(invoice.Name, Assert.Single(history.Invoices).Name);
    }

    [SkippableFact]
    [Trait("Rule", "BIL-8")]
    public async Task RefusedPromotionCode_SaysWhy_OnItsField()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationAsync(0);
        var product = AddProduct(organization);

        var status = await RpcAssert.FailsAsync(
            () => _billing.CreateProFormaAsync(new CreateProFormaRequest { Parent = organization, Products = { product }, PromotionCode = "NO-SUCH" }, owner).ResponseAsync,
            StatusCode.FailedPrecondition, "PROMOTION_CODE_UNKNOWN");

        Assert.Equal("promotion_code", status.ViolatedField());
    }

    [SkippableFact]
    [Trait("Rule", "BIL-2")]
    public async Task EveryBillingRpc_NeedsBillingRights_AndHidesOtherOrganizations()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationAsync(0);
        var product = AddProduct(organization);
        var (limited, limitedLogin) = await UserAsync();
        var (outsider, _) = await UserAsync();
        var invitation = await _organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = limitedLogin, Rights = new Hosting.Organizations.V1.MemberRights { Administrator = true } }, owner);
        await _organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Invitation.Name }, limited);
        var calls = new Dictionary<string, Func<Metadata, Task>>
        {
            ["ListBillingAddresses"] = m => _billing.ListBillingAddressesAsync(new ListBillingAddressesRequest { Parent = organization }, m).ResponseAsync,
            ["CreateBillingAddress"] = m => _billing.CreateBillingAddressAsync(new CreateBillingAddressRequest { Parent = organization, BillingAddress = new Hosting.Billing.V1.BillingAddress { Recipient = "A", Street = "B", PostalCode = "1", City = "C", Country = "CH" } }, m).ResponseAsync,
            ["UpdateBillingAddress"] = m => _billing.UpdateBillingAddressAsync(new UpdateBillingAddressRequest { BillingAddress = new Hosting.Billing.V1.BillingAddress { Name = $"{organization}/billingAddresses/{Guid.NewGuid()}", Recipient = "A", Street = "B", PostalCode = "1", City = "C", Country = "CH" }, UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "city" } } }, m).ResponseAsync,
            ["DeleteBillingAddress"] = m => _billing.DeleteBillingAddressAsync(new DeleteBillingAddressRequest { Name = $"{organization}/billingAddresses/{Guid.NewGuid()}" }, m).ResponseAsync,
            ["ListToPay"] = m => _billing.ListToPayAsync(new ListToPayRequest { Parent = organization }, m).ResponseAsync,
            ["CreateProForma"] = m => _billing.CreateProFormaAsync(new CreateProFormaRequest { Parent = organization, Products = { product } }, m).ResponseAsync,
            ["Checkout"] = m => _billing.CheckoutAsync(new CheckoutRequest { Parent = organization, Products = { product }, PaymentMethod = "sim-decline", RequestId = "x" }, m).ResponseAsync,
            ["ListInvoices"] = m => _billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization }, m).ResponseAsync,
            ["GetInvoice"] = m => _billing.GetInvoiceAsync(new GetInvoiceRequest { Name = $"{organization}/invoices/{Guid.NewGuid()}" }, m).ResponseAsync,
            ["GetInvoicePdf"] = m => _billing.GetInvoicePdfAsync(new GetInvoicePdfRequest { Name = $"{organization}/invoices/{Guid.NewGuid()}" }, m).ResponseAsync,
            ["DownloadInvoicePdf"] = m => _billing.DownloadInvoicePdfAsync(new DownloadInvoicePdfRequest { Name = $"{organization}/invoices/{Guid.NewGuid()}" }, m).ResponseAsync,
            ["SetAutoRenewal"] = m => _billing.SetAutoRenewalAsync(new SetAutoRenewalRequest { Product = product, Enabled = false }, m).ResponseAsync,
            ["ListVouchers"] = m => _billing.ListVouchersAsync(new ListVouchersRequest { Parent = organization }, m).ResponseAsync,
            ["ListCreditNotes"] = m => _billing.ListCreditNotesAsync(new ListCreditNotesRequest { Parent = organization }, m).ResponseAsync,
            ["PayInvoice"] = m => _billing.PayInvoiceAsync(new PayInvoiceRequest { Name = $"{organization}/invoices/{Guid.NewGuid()}", PaymentMethod = "wallet", RequestId = "p" }, m).ResponseAsync,
            ["CancelInvoice"] = m => _billing.CancelInvoiceAsync(new CancelInvoiceRequest { Name = $"{organization}/invoices/{Guid.NewGuid()}" }, m).ResponseAsync,
        };
        // Ordering needs administrators rather than billing rights (ORD-1): OrdersGrpcTests proves it.
        string[] shop = ["ListCatalogue", "GetCartSummary", "ConfirmOrder"];
        Assert.Empty(BillingService.Descriptor.Methods.Select(m => m.Name).Except(calls.Keys).Except(shop));

        foreach (var call in calls.Values)
        {
            await RpcAssert.FailsAsync(() => call(limited), StatusCode.PermissionDenied, "BILLING_RIGHTS_REQUIRED");
            await RpcAssert.FailsAsync(() => call(outsider), StatusCode.NotFound, "ORGANIZATION_NOT_FOUND");
            await RpcAssert.FailsAsync(() => call([]), StatusCode.Unauthenticated, "SESSION_REQUIRED");
            try
            {
                await call(owner);
            }
            catch (RpcException e)
            {
                Assert.DoesNotContain(e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason, new[] { "BILLING_RIGHTS_REQUIRED", "ORGANIZATION_NOT_FOUND", "SESSION_REQUIRED" });
            }
        }

        var support = new SupportService.SupportServiceClient(host.Channel());
        await RpcAssert.FailsAsync(() => support.RunRenewalsAsync(new RunRenewalsRequest(), owner).ResponseAsync, StatusCode.Unauthenticated, "API_KEY_REQUIRED");
        await RpcAssert.FailsAsync(
            () => support.GrantVoucherAsync(new GrantVoucherRequest { Organization = organization, ProductType = 1 }, new Metadata { { "x-api-key", HostFactory.OperatorKey } }).ResponseAsync,
            StatusCode.PermissionDenied, "API_KEY_SCOPE_MISSING");
        var granted = await support.GrantVoucherAsync(new GrantVoucherRequest { Organization = organization, ProductType = 1 }, new Metadata { { "x-api-key", HostFactory.SupportKey } });
        Assert.StartsWith(organization, granted.Voucher.Name, StringComparison.Ordinal);
    }

    private static readonly Metadata Support = new() { { "x-api-key", HostFactory.SupportKey } };

    private static Hosting.Billing.V1.BillingAddress Address(string recipient) =>
        new() { Recipient = recipient, Street = "Rue du Marché 4", PostalCode = "1204", City = "Genève", Country = "CH" };

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task ListBillingAddresses_PagesMainFirst_WithoutRepeatOrLoss()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationAsync(0);
        var expected = new List<string> { $"{organization}/billingAddresses/main" };
        for (var i = 0; i < 3; i++)
        {
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            expected.Add((await _billing.CreateBillingAddressAsync(new CreateBillingAddressRequest { Parent = organization, BillingAddress = Address($"Accounts {i}") }, owner)).BillingAddress.Name);
        }

        await Paging.AssertWalksAsync(expected, async (size, token) =>
        {
            var page = await _billing.ListBillingAddressesAsync(new ListBillingAddressesRequest { Parent = organization, PageSize = size, PageToken = token }, owner);
            return (page.BillingAddresses.Select(a => a.Name), page.NextPageToken);
        });
        await Paging.AssertRefusesForeignTokenAsync(token => _billing.ListBillingAddressesAsync(new ListBillingAddressesRequest { Parent = organization, PageToken = token }, owner).ResponseAsync);
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task UpdateBillingAddress_ChangesOnlyTheMaskedFields_AndRefusesAStaleEtag()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationAsync(0);
        var created = (await _billing.CreateBillingAddressAsync(new CreateBillingAddressRequest { Parent = organization, BillingAddress = Address("Accounts") }, owner)).BillingAddress;
        Assert.NotEmpty(created.Etag);

        var change = new Hosting.Billing.V1.BillingAddress { Name = created.Name, City = "Lausanne", Recipient = "ignored", Etag = created.Etag };
        var updated = (await _billing.UpdateBillingAddressAsync(new UpdateBillingAddressRequest { BillingAddress = change, UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "city" } } }, owner)).BillingAddress;
        Assert.Equal("Lausanne", updated.City);
        Assert.Equal("Accounts", updated.Recipient);
        Assert.Equal("Rue du Marché 4", updated.Street);
        Assert.NotEqual(created.Etag, updated.Etag);

        await RpcAssert.FailsAsync(
            () => _billing.UpdateBillingAddressAsync(new UpdateBillingAddressRequest { BillingAddress = change, UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "city" } } }, owner).ResponseAsync,
            StatusCode.Aborted, "ETAG_MISMATCH");
        var missing = await RpcAssert.FailsAsync(
            () => _billing.UpdateBillingAddressAsync(new UpdateBillingAddressRequest { BillingAddress = change }, owner).ResponseAsync,
            StatusCode.InvalidArgument, "UPDATE_MASK_REQUIRED");
        Assert.Equal("update_mask", missing.ViolatedField());
        await RpcAssert.FailsAsync(
            () => _billing.UpdateBillingAddressAsync(new UpdateBillingAddressRequest { BillingAddress = change, UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "main" } } }, owner).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_UPDATE_MASK");
        var listed = (await _billing.ListBillingAddressesAsync(new ListBillingAddressesRequest { Parent = organization }, owner)).BillingAddresses.Single(a => a.Name == created.Name);
        Assert.Equal(updated.Etag, listed.Etag);
        Assert.Equal("Lausanne", listed.City);
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task ListToPay_PagesWithoutRepeatOrLoss()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationAsync(0);
        var products = Enumerable.Range(0, 3).Select(_ => AddProduct(organization)).ToList();
        var expected = products.OrderBy(p => Guid.Parse(p.Split('/')[^1])).ToList();

        await Paging.AssertWalksAsync(expected, async (size, token) =>
        {
            var page = await _billing.ListToPayAsync(new ListToPayRequest { Parent = organization, PageSize = size, PageToken = token }, owner);
            return (page.Items.Select(i => i.Product), page.NextPageToken);
        });
        await Paging.AssertRefusesForeignTokenAsync(token => _billing.ListToPayAsync(new ListToPayRequest { Parent = organization, PageToken = token }, owner).ResponseAsync);
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task ListToPay_PagesAwaitingProductsFirst_ThenThoseDueForRenewal_WithoutRepeatOrLoss()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationAsync(0);
        var awaiting = Enumerable.Range(0, 3).Select(_ => AddProduct(organization)).OrderBy(p => Guid.Parse(p.Split('/')[^1])).ToList();
        var now = host.Clock.GetUtcNow();
        // Two due on the same day (ordered by id), one the day before, one past the horizon (not listed).
        var due = new[] { now.AddDays(2), now.AddDays(2), now.AddDays(1), now.AddDays(90) }
            .Select(renewal => (Renewal: renewal, Name: AddActiveProduct(organization, renewal)))
            .Where(p => p.Renewal < now.AddDays(30))
            .OrderBy(p => p.Renewal).ThenBy(p => Guid.Parse(p.Name.Split('/')[^1]))
            .Select(p => p.Name);

        await Paging.AssertWalksAsync(awaiting.Concat(due).ToList(), async (size, token) =>
        {
            var page = await _billing.ListToPayAsync(new ListToPayRequest { Parent = organization, PageSize = size, PageToken = token }, owner);
            return (page.Items.Select(i => i.Product), page.NextPageToken);
        });
    }

    private string AddActiveProduct(string organization, DateTimeOffset renewal)
    {
        var organizationId = Guid.Parse(organization.Split('/')[1]);
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
        var product = CoreProduct.Order(Guid.NewGuid(), organizationId, CoreProductType.DomainName, "renewing", Hosting.Core.Shared.Money.FromTrusted(0, "CHF"), host.Clock.GetUtcNow()).Value;
        product.Activate(renewal);
        db.Add(product);
        db.SaveChanges();
        return $"{organization}/products/{product.Id}";
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task ListVouchers_PagesOldestFirst_WithoutRepeatOrLoss()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationAsync(0);
        var support = new SupportService.SupportServiceClient(host.Channel());
        var granted = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            granted.Add((await support.GrantVoucherAsync(new GrantVoucherRequest { Organization = organization, ProductType = 1 + i }, Support)).Voucher.Name);
        }

        await Paging.AssertWalksAsync(granted, async (size, token) =>
        {
            var page = await _billing.ListVouchersAsync(new ListVouchersRequest { Parent = organization, PageSize = size, PageToken = token }, owner);
            return (page.Vouchers.Select(v => v.Name), page.NextPageToken);
        });
        await Paging.AssertRefusesForeignTokenAsync(token => _billing.ListVouchersAsync(new ListVouchersRequest { Parent = organization, PageToken = token }, owner).ResponseAsync);
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task ListCreditNotes_PagesNewestFirst_WithoutRepeatOrLoss()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationAsync(50_000);
        var product = AddProduct(organization, CoreProductType.WebHosting);
        var invoice = (await _billing.CheckoutAsync(new CheckoutRequest { Parent = organization, Products = { product }, PaymentMethod = "wallet", RequestId = "credited" }, owner)).Invoice;
        var support = new SupportService.SupportServiceClient(host.Channel());
        var issued = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            issued.Add((await support.IssueCreditNoteAsync(new IssueCreditNoteRequest { Invoice = invoice.Name, AmountMinor = 100, Reason = $"goodwill {i}" }, Support)).CreditNote.Name);
        }

        issued.Reverse();
        await Paging.AssertWalksAsync(issued, async (size, token) =>
        {
            var page = await _billing.ListCreditNotesAsync(new ListCreditNotesRequest { Parent = organization, PageSize = size, PageToken = token }, owner);
            return (page.CreditNotes.Select(c => c.Name), page.NextPageToken);
        });
        await Paging.AssertRefusesForeignTokenAsync(token => _billing.ListCreditNotesAsync(new ListCreditNotesRequest { Parent = organization, PageToken = token }, owner).ResponseAsync);
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task ListParkedNotifications_PagesOldestFirst_WithoutRepeatOrLoss()
    {
        host.SkipUnlessAvailable();
        var parked = new List<string>();
        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
            for (var i = 0; i < 3; i++)
            {
                host.Clock.Advance(TimeSpan.FromSeconds(1));
                var message = Hosting.Core.Notifications.OutboxMessage.Queue(Guid.NewGuid(), "test.parked", $"parked-{i}@example.com", "subject", "body", host.Clock.GetUtcNow());
                while (message.ParkedAt is null)
                {
                    message.MarkFailed(host.Clock.GetUtcNow());
                }

                db.Add(message);
                parked.Add(message.Id.ToString());
            }

            await db.SaveChangesAsync();
        }

        var support = new SupportService.SupportServiceClient(host.Channel());
        var all = (await support.ListParkedNotificationsAsync(new ListParkedNotificationsRequest { PageSize = 200 }, Support)).Notifications.Select(n => n.Id).ToList();
        Assert.Equal(parked, all.Intersect(parked));
        await Paging.AssertWalksAsync(all, async (size, token) =>
        {
            var page = await support.ListParkedNotificationsAsync(new ListParkedNotificationsRequest { PageSize = size, PageToken = token }, Support);
            return (page.Notifications.Select(n => n.Id), page.NextPageToken);
        });
        await Paging.AssertRefusesForeignTokenAsync(token => support.ListParkedNotificationsAsync(new ListParkedNotificationsRequest { PageToken = token }, Support).ResponseAsync);
    }
}

/// <summary>The suite on SQLite, the embedded store.</summary>
public sealed class BillingGrpcTests(HostFactory host) : BillingGrpcTestsBase<HostFactory>(host);

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class BillingGrpcTestsPostgres(PostgresHostFactory host) : BillingGrpcTestsBase<PostgresHostFactory>(host);
