using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class OrderTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<(AuthenticatedUser Owner, Guid OrganizationId)> OrganizationAsync(long walletBalance = 0, string owner = "owner@example.com")
    {
        var (user, id) = await _h.OrganizationAsync(owner);
        if (walletBalance > 0)
        {
            Assert.True((await _h.Wallets().TopUpAsync(user, id, Money.FromTrusted(walletBalance, "CHF"), SimulatedPaymentGateway.Success, "fund")).IsSuccess);
        }

        return (user, id);
    }

    private static Cart Cart(params CartLine[] lines) => new(lines, null, null);

    private static readonly CartLine Hosting12 = new(ProductType.WebHosting, "www.meier.ch", 12, false);
    private static readonly CartLine Domain12 = new(ProductType.DomainName, "meier.ch", 12, false);

    private List<Product> Products(Guid organizationId) => _h.Query(db => db.Set<Product>().Where(p => p.OrganizationId == organizationId).ToList());

    private List<Invoice> Invoices() => _h.Query(db => db.Set<Invoice>().ToList());

    private long Balance(Guid organizationId) => _h.Query(db => db.Set<Wallet>().Where(w => w.OrganizationId == organizationId).Sum(w => w.Balance));

    [Fact]
    [Trait("Rule", "ORD-2")]
    public async Task CartSummary_PricesEachPeriodFromTheCatalogue_OffersVouchers_ExplainsARefusedCode_AndChangesNothing()
    {
        var (owner, id) = await OrganizationAsync(walletBalance: 50_000);
        await _h.BillingAdmin().GrantVoucherAsync(id, ProductType.DomainName);
        var cart = new Cart([new CartLine(ProductType.WebHosting, "www.meier.ch", 24, false), new CartLine(ProductType.DomainName, "meier.ch", 12, false)], null, "NOSUCHCODE");

        var summary = (await _h.Orders().SummarizeAsync(owner, id, cart)).Value;

        Assert.Equal(9_600 * 19 / 10, summary.Quote.Lines[0].NetMinor);
        Assert.Contains("24 months", summary.Quote.Lines[0].Description, StringComparison.Ordinal);
        Assert.Equal(1_500, summary.Quote.Lines[1].NetMinor);
        Assert.Equal([summary.Quote.Lines[1].ProductId], summary.Quote.VouchersOffered);
        Assert.Equal("PROMOTION_CODE_UNKNOWN", summary.PromotionRefusal!.Reason);
        Assert.Equal(summary.Quote.Lines.Sum(l => l.TotalMinor), summary.Quote.TotalMinor);
        Assert.Equal("Meier Web Sàrl", summary.BillingAddress[0]);
        Assert.Empty(Products(id));
        Assert.Empty(Invoices());
        Assert.Equal(50_000, Balance(id));
        Assert.Single(_h.Query(db => db.Set<FreeVoucher>().Where(v => v.UsedOnInvoiceId == null).ToList()));
    }

    [Fact]
    [Trait("Rule", "ORD-2")]
    public async Task Cart_RefusesAPeriodTheCatalogueDoesNotOffer_AndAnEmptyCart()
    {
        var (owner, id) = await OrganizationAsync();

        var error = ResultAssert.Fails(await _h.Orders().SummarizeAsync(owner, id, Cart(new CartLine(ProductType.DomainName, "meier.ch", 1, false))), "BILLING_PERIOD_NOT_OFFERED");
        Assert.Equal("lines[0].period_months", Assert.Single(error.Fields).Field);
        ResultAssert.Fails(await _h.Orders().SummarizeAsync(owner, id, Cart()), "CART_EMPTY");
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, Cart(new CartLine(ProductType.WebHosting, " ", 12, false)), BillingService.WalletMethod, "r1"), "INVALID_PRODUCT_NAME");
        var unknown = ResultAssert.Fails(await _h.Orders().SummarizeAsync(owner, id, Cart(Domain12, new CartLine((ProductType)99, "meier.ch", 0, false))), "UNKNOWN_PRODUCT_TYPE");
        Assert.Equal("lines[1].product_type", Assert.Single(unknown.Fields).Field);
        ResultAssert.Fails(await _h.Orders().SummarizeAsync(owner, id, Cart(Domain12 with { UseVoucher = true })), "VOUCHER_NOT_AVAILABLE");
    }

    [Fact]
    [Trait("Rule", "ORD-2")]
    public async Task Cart_OfItemsPricedInDifferentCurrencies_IsRefused_AsOneInvoiceHasOneCurrency()
    {
        var (owner, id) = await OrganizationAsync();
        Assert.True((await _h.BillingAdmin().SetPriceAsync(new CatalogueEntry(ProductType.DomainName, 1_500, "EUR", 12, 810))).IsSuccess);

        var error = ResultAssert.Fails(await _h.Orders().SummarizeAsync(owner, id, Cart(Hosting12, Domain12)), "CURRENCY_MISMATCH");

        Assert.Equal("lines", Assert.Single(error.Fields).Field);
        Assert.Equal("EUR", (await _h.Orders().SummarizeAsync(owner, id, Cart(Domain12))).Value.Quote.Currency);
    }

    [Fact]
    [Trait("Rule", "ORD-3")]
    [Trait("Rule", "BIL-5")]
    public async Task WalletOrder_IssuesOnePaidInvoice_AndActivatesItsProductsForTheirPeriod()
    {
        var (owner, id) = await OrganizationAsync(walletBalance: 50_000);

        var placed = (await _h.Orders().ConfirmAsync(owner, id, Cart(new CartLine(ProductType.WebHosting, "www.meier.ch", 1, false), Domain12), BillingService.WalletMethod, "order-1")).Value;

        Assert.Equal(InvoiceState.Paid, placed.Invoice.State);
        Assert.Equal(1, placed.Invoice.SequenceNumber);
        var products = Products(id);
        Assert.Equal(2, products.Count);
        Assert.All(products, p => Assert.Equal(ProductStatus.Active, p.Status));
        Assert.Equal(_h.Clock.GetUtcNow().AddMonths(1), products.Single(p => p.Type == ProductType.WebHosting).RenewalDate);
        Assert.Equal(_h.Clock.GetUtcNow().AddMonths(12), products.Single(p => p.Type == ProductType.DomainName).RenewalDate);
        Assert.Equal(50_000 - placed.Invoice.TotalMinor, Balance(id));
        Assert.True((await _h.Billing().InvoicePdfAsync(owner, id, placed.Invoice.Id)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ORD-3")]
    [Trait("Rule", "BIL-5")]
    [Trait("Rule", "BIL-3")]
    public async Task BankTransferOrder_IssuesAnUnpaidInvoiceInToPay_WithPendingProducts_ThatCannotBeDownloaded()
    {
        var (owner, id) = await OrganizationAsync();

        var placed = (await _h.Orders().ConfirmAsync(owner, id, Cart(Hosting12, Domain12), PaymentCollector.BankTransferMethod, "order-1")).Value;

        Assert.Equal(InvoiceState.Unpaid, placed.Invoice.State);
        Assert.Equal(_h.Clock.GetUtcNow().AddDays(30), placed.Invoice.DueAt);
        Assert.All(Products(id), p => Assert.True(p.AwaitsInvoice));
        var toPay = (await _h.Billing().ToPayAsync(owner, id, 0, null)).Value;
        Assert.Equal(placed.Invoice.Id, Assert.Single(toPay.UnpaidInvoices).Id);
        Assert.Empty(toPay.Products.Items);
        ResultAssert.Fails(await _h.Billing().InvoicePdfAsync(owner, id, placed.Invoice.Id), "INVOICE_NOT_PAID");
        ResultAssert.Fails(
            await _h.Billing().CheckoutAsync(owner, id, BillingWorld.Checkout([placed.Products[0].Id], "c1")),
            "PRODUCT_AWAITS_INVOICE");
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    [Trait("Rule", "EVT-3")]
    public async Task OnSqlite_AnOrdersInvoice_IsWrittenOnceUnderItsNumber_AndItsEventCarriesIt()
    {
        var (owner, id) = await OrganizationAsync();
        var commands = new CapturedCommands();
        _h.Interceptor = commands;

        var placed = (await _h.Orders().ConfirmAsync(owner, id, Cart(Hosting12), PaymentCollector.BankTransferMethod, "order-1")).Value;
        _h.Interceptor = null;

        // The number is taken inside the write transaction before the invoice is written: no placeholder to correct afterwards.
        Assert.Single(commands.All, s => s.Contains("INSERT INTO \"Invoices\"", StringComparison.Ordinal));
        Assert.DoesNotContain(commands.All, s => s.Contains("UPDATE \"Invoices\"", StringComparison.Ordinal) || s.Contains("UPDATE \"Events\"", StringComparison.Ordinal));
        var resource = $"organizations/{id}/invoices/{placed.Invoice.Id}";
        var issued = _h.Query(db => db.Set<Hosting.Core.Events.HostingEvent>().Single(e => e.Resource == resource && e.Type == "invoice.issued"));
        Assert.Equal(placed.Invoice.Number, issued.Fields()["number"]);
        Assert.Equal(placed.Invoice.Number, Assert.Single(Invoices()).Number);
    }

    [Fact]
    [Trait("Rule", "ORD-3")]
    public async Task RefusedPayment_LeavesNoProductNoInvoiceNoRedemption()
    {
        var (owner, id) = await OrganizationAsync(walletBalance: 1_000);
        await _h.BillingAdmin().GrantVoucherAsync(id, ProductType.DomainName);
        await _h.BillingAdmin().CreatePromotionAsync(PromotionCode.Create(_h.Random.NewId(), "SPRING", 1_000, 0, "CHF", AccountsHarness.Start, AccountsHarness.Start.AddDays(30), 5, [], 0, false));
        var cart = new Cart([Hosting12, Domain12 with { UseVoucher = true }], null, "SPRING");

        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, cart, BillingService.WalletMethod, "poor"), "INSUFFICIENT_FUNDS");
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, cart, SimulatedPaymentGateway.Decline, "declined"), "PAYMENT_DECLINED");

        Assert.Empty(Products(id));
        Assert.Empty(Invoices());
        Assert.Equal(0, _h.Query(db => db.Set<PromotionCode>().Single().Redemptions));
        Assert.Empty(_h.Query(db => db.Set<PromotionRedemption>().ToList()));
        Assert.Null(_h.Query(db => db.Set<FreeVoucher>().Single().UsedOnInvoiceId));
        Assert.Equal(1_000, Balance(id));
    }

    [Fact]
    [Trait("Rule", "ORD-3")]
    [Trait("Rule", "WAL-2")]
    public async Task PayingAnInvoiceThatAnotherRequestPaidMeanwhile_IsAlreadyPaid_NotInsufficientFunds()
    {
        var (owner, id) = await OrganizationAsync();
        var placed = (await _h.Orders().ConfirmAsync(owner, id, Cart(Hosting12), PaymentCollector.BankTransferMethod, "order-1")).Value;
        Assert.True((await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(placed.Invoice.TotalMinor + 100, "CHF"), SimulatedPaymentGateway.Success, "fund")).IsSuccess);

        // The second request pays the invoice just after the first has read it unpaid, before the
        // first reads the wallet: the first then finds too little money for a second payment.
        var other = new AfterFirstRead("Invoices", async () => (await _h.UnpaidInvoices().PayAsync(owner, id, placed.Invoice.Id, BillingService.WalletMethod, "pay-other")).IsSuccess);
        _h.Interceptor = other;
        var first = await _h.UnpaidInvoices().PayAsync(owner, id, placed.Invoice.Id, BillingService.WalletMethod, "pay-first");
        _h.Interceptor = null;

        Assert.True(other.Succeeded);
        ResultAssert.Fails(first, "INVOICE_ALREADY_PAID");
        ResultAssert.Fails(await _h.UnpaidInvoices().PayAsync(owner, id, placed.Invoice.Id, BillingService.WalletMethod, "pay-first"), "INVOICE_ALREADY_PAID");
        Assert.Equal(100, Balance(id));
    }

    [Fact]
    [Trait("Rule", "ORD-1")]
    public async Task OnlyAdministratorsAndLegalRepresentativesOrder_OutsidersSeeNoOrganization()
    {
        var (owner, id) = await OrganizationAsync(walletBalance: 50_000);
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", new MemberRights(false, [], false));
        var billing = await _h.JoinAsync(id, owner, "accounts@example.com", new MemberRights(false, [], true));
        var admin = await _h.JoinAsync(id, owner, "admin@example.com", new MemberRights(true, [], false));
        var (_, other) = await OrganizationAsync(owner: "stranger@example.com");

        ResultAssert.Fails(await _h.Orders().ConfirmAsync(limited, id, Cart(Domain12), BillingService.WalletMethod, "l"), "ORDER_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _h.Orders().SummarizeAsync(billing, id, Cart(Domain12)), "ORDER_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, other, Cart(Domain12), BillingService.WalletMethod, "x"), "ORGANIZATION_NOT_FOUND");
        Assert.True((await _h.Orders().ConfirmAsync(admin, id, Cart(Domain12), PaymentCollector.BankTransferMethod, "a")).IsSuccess);
        Assert.Single(Products(id));
        Assert.Empty(Products(other));
    }

    [Fact]
    [Trait("Rule", "ORD-3")]
    [Trait("Rule", "WAL-6")]
    public async Task PayingAnUnpaidInvoice_ActivatesItsProductsOnce_AndARetryReturnsTheSamePayment()
    {
        var (owner, id) = await OrganizationAsync(walletBalance: 50_000);
        var placed = (await _h.Orders().ConfirmAsync(owner, id, Cart(Hosting12), PaymentCollector.BankTransferMethod, "order-1")).Value;
        _h.Clock.Advance(TimeSpan.FromDays(3));

        var paid = (await _h.UnpaidInvoices().PayAsync(owner, id, placed.Invoice.Id, BillingService.WalletMethod, "pay-1")).Value;
        var replay = (await _h.UnpaidInvoices().PayAsync(owner, id, placed.Invoice.Id, BillingService.WalletMethod, "pay-1")).Value;

        Assert.Equal(InvoiceState.Paid, paid.State);
        Assert.Equal(paid.PaymentReference, replay.PaymentReference);
        Assert.Equal(50_000 - placed.Invoice.TotalMinor, Balance(id));
        var product = Assert.Single(Products(id));
        Assert.Equal(ProductStatus.Active, product.Status);
        Assert.Equal(_h.Clock.GetUtcNow().AddMonths(12), product.RenewalDate);
        ResultAssert.Fails(await _h.UnpaidInvoices().PayAsync(owner, id, placed.Invoice.Id, BillingService.WalletMethod, "pay-2"), "INVOICE_ALREADY_PAID");
        ResultAssert.Fails(await _h.UnpaidInvoices().PayAsync(owner, id, placed.Invoice.Id, SimulatedPaymentGateway.Success, "pay-1"), "REQUEST_ID_REUSED");
        ResultAssert.Fails(await _h.UnpaidInvoices().PayAsync(owner, id, placed.Invoice.Id, PaymentCollector.BankTransferMethod, "pay-3"), "DEFERRED_PAYMENT_NOT_ALLOWED");
        Assert.Equal(50_000 - placed.Invoice.TotalMinor, Balance(id));
        Assert.True((await _h.Billing().InvoicePdfAsync(owner, id, placed.Invoice.Id)).IsSuccess);
        Assert.Empty((await _h.Billing().ToPayAsync(owner, id, 0, null)).Value.UnpaidInvoices);
    }

    [Fact]
    [Trait("Rule", "ORD-4")]
    [Trait("Rule", "BIL-5")]
    public async Task CancellingAnUnpaidInvoice_IssuesAFullCreditNote_RemovesItsProducts_AndGivesBackVoucherAndCode()
    {
        var (owner, id) = await OrganizationAsync();
        await _h.BillingAdmin().GrantVoucherAsync(id, ProductType.DomainName);
        await _h.BillingAdmin().CreatePromotionAsync(PromotionCode.Create(_h.Random.NewId(), "SPRING", 1_000, 0, "CHF", AccountsHarness.Start, AccountsHarness.Start.AddDays(30), 1, [], 0, false));
        var placed = (await _h.Orders().ConfirmAsync(owner, id, new Cart([Hosting12, Domain12 with { UseVoucher = true }], null, "SPRING"), PaymentCollector.BankTransferMethod, "o1")).Value;
        Assert.Equal(1, _h.Query(db => db.Set<PromotionCode>().Single().Redemptions));

        var cancelled = (await _h.UnpaidInvoices().CancelAsync(owner, id, placed.Invoice.Id, null)).Value;

        Assert.Equal(InvoiceState.Cancelled, cancelled.Invoice.State);
        Assert.Equal(placed.Invoice.TotalMinor, cancelled.CreditNote.AmountMinor);
        Assert.Equal(placed.Invoice.Id, cancelled.CreditNote.InvoiceId);
        Assert.Empty(Products(id));
        Assert.Null(_h.Query(db => db.Set<FreeVoucher>().Single().UsedOnInvoiceId));
        Assert.Equal(0, _h.Query(db => db.Set<PromotionCode>().Single().Redemptions));
        Assert.Empty((await _h.Billing().ToPayAsync(owner, id, 0, null)).Value.UnpaidInvoices);
        ResultAssert.Fails(await _h.Billing().InvoicePdfAsync(owner, id, placed.Invoice.Id), "INVOICE_CANCELLED");
        ResultAssert.Fails(await _h.UnpaidInvoices().PayAsync(owner, id, placed.Invoice.Id, BillingService.WalletMethod, "late"), "INVOICE_CANCELLED");
        ResultAssert.Fails(await _h.UnpaidInvoices().CancelAsync(id, placed.Invoice.Id, "again"), "INVOICE_CANCELLED");

        // The voucher and the single-use code are available again.
        var again = (await _h.Orders().SummarizeAsync(owner, id, new Cart([Domain12 with { UseVoucher = true }], null, "SPRING"))).Value;
        Assert.Null(again.PromotionRefusal);
        Assert.Equal(0, again.Quote.Lines[0].TotalMinor);
    }

    [Fact]
    [Trait("Rule", "ORD-4")]
    public async Task OnlyBillingMembersCancel_AndSupportCancelsAnyUnpaidInvoice_ButNeverAPaidOne()
    {
        var (owner, id) = await OrganizationAsync(walletBalance: 50_000);
        var tech = await _h.JoinAsync(id, owner, "tech@example.com", new MemberRights(true, [], false));
        var unpaid = (await _h.Orders().ConfirmAsync(owner, id, Cart(Domain12), PaymentCollector.BankTransferMethod, "o1")).Value.Invoice;
        var paid = (await _h.Orders().ConfirmAsync(owner, id, Cart(Hosting12), BillingService.WalletMethod, "o2")).Value.Invoice;

        ResultAssert.Fails(await _h.UnpaidInvoices().CancelAsync(tech, id, unpaid.Id, null), "BILLING_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _h.UnpaidInvoices().CancelAsync(id, paid.Id, "wrong"), "INVOICE_ALREADY_PAID");
        Assert.True((await _h.UnpaidInvoices().CancelAsync(id, unpaid.Id, "Customer asked")).IsSuccess);
        Assert.Equal(InvoiceState.Paid, _h.Query(db => db.Set<Invoice>().Single(i => i.Id == paid.Id).State));
    }

    [Fact]
    [Trait("Rule", "ORD-4")]
    [Trait("Rule", "BIL-5")]
    public async Task UnpaidInvoice_IsOverduePastItsDueDate_AndInvoicesFilterByState()
    {
        var (owner, id) = await OrganizationAsync(walletBalance: 50_000);
        var unpaid = (await _h.Orders().ConfirmAsync(owner, id, Cart(Domain12), PaymentCollector.BankTransferMethod, "o1")).Value.Invoice;
        await _h.Orders().ConfirmAsync(owner, id, Cart(Hosting12), BillingService.WalletMethod, "o2");

        Assert.False(unpaid.IsOverdue(_h.Clock.GetUtcNow().AddDays(30)));
        Assert.True(unpaid.IsOverdue(_h.Clock.GetUtcNow().AddDays(30).AddSeconds(1)));
        Assert.Equal([unpaid.Id], (await _h.Billing().ListInvoicesAsync(owner, id, 0, null, default, InvoiceState.Unpaid)).Value.Items.Select(i => i.Id));
        Assert.Single((await _h.Billing().ListInvoicesAsync(owner, id, 0, null, default, InvoiceState.Paid)).Value.Items);
        Assert.Equal(2, (await _h.Billing().ListInvoicesAsync(owner, id, 0, null)).Value.Items.Count);
    }

    [Fact]
    [Trait("Rule", "ORG-9")]
    [Trait("Rule", "ORD-3")]
    public async Task UnpaidInvoice_BlocksDeletion_NamingIt_UntilPaidAndTerminated()
    {
        var (owner, id) = await OrganizationAsync();
        var db = _h.NewDb();
        _h.Finances = new BillingFinances(new WalletFinances(new Hosting.Persistence.Stores.EfWalletStore(db)), new Hosting.Persistence.Stores.EfBillingStore(db));
        var placed = (await _h.Orders().ConfirmAsync(owner, id, Cart(Domain12), PaymentCollector.BankTransferMethod, "o1")).Value;

        var refused = ResultAssert.Fails(await _h.Organizations().DeleteAsync(owner, id, emailPaidInvoices: false), "ORGANIZATION_NOT_DELETABLE");
        Assert.Contains(refused.Preconditions, p => p.Type == "UNPAID_INVOICE" && p.Subject == $"organizations/{id}/invoices/{placed.Invoice.Id}");

        Assert.True((await _h.UnpaidInvoices().PayAsync(owner, id, placed.Invoice.Id, SimulatedPaymentGateway.Success, "p1")).IsSuccess);
        Assert.True((await _h.Organizations().TerminateProductAsync(owner, id, placed.Products[0].Id)).IsSuccess);
        Assert.True((await _h.Organizations().DeleteAsync(owner, id, emailPaidInvoices: false)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "WAL-6")]
    [Trait("Rule", "ORD-3")]
    public async Task OrderRequestId_ReplaysTheFirstOrder_AndRefusesOtherArguments()
    {
        var (owner, id) = await OrganizationAsync(walletBalance: 50_000);

        var first = (await _h.Orders().ConfirmAsync(owner, id, Cart(Domain12), BillingService.WalletMethod, "same")).Value;
        var replay = (await _h.Orders().ConfirmAsync(owner, id, Cart(Domain12), BillingService.WalletMethod, "same")).Value;

        Assert.Equal(first.Invoice.Id, replay.Invoice.Id);
        Assert.Equal(first.Products.Select(p => p.Id), replay.Products.Select(p => p.Id));
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, Cart(Domain12), PaymentCollector.BankTransferMethod, "same"), "REQUEST_ID_REUSED");
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, Cart(Hosting12), BillingService.WalletMethod, "same"), "REQUEST_ID_REUSED");
        Assert.Single(Products(id));
        Assert.Single(Invoices());
    }

    [Fact]
    [Trait("Rule", "BIL-2")]
    [Trait("Rule", "ORD-1")]
    public async Task AnAdministratorWithoutBillingRights_OrdersByTransferOrCard_ButNeverSpendsTheWallet()
    {
        var (owner, id) = await OrganizationAsync(walletBalance: 50_000);
        var admin = await _h.JoinAsync(id, owner, "admin@example.com", new MemberRights(true, [], false));

        ResultAssert.Fails(await _h.Orders().ConfirmAsync(admin, id, Cart(Domain12), BillingService.WalletMethod, "w"), "BILLING_RIGHTS_REQUIRED");
        Assert.True((await _h.Orders().ConfirmAsync(admin, id, Cart(Domain12), PaymentCollector.BankTransferMethod, "t")).IsSuccess);
        Assert.Equal(50_000, Balance(id));
    }

    [Fact]
    [Trait("Rule", "ORD-4")]
    [Trait("Rule", "BIL-5")]
    public async Task SupportCreditsOnlyPaidInvoices_AnUnpaidOneIsCancelledInstead()
    {
        var (owner, id) = await OrganizationAsync();
        var unpaid = (await _h.Orders().ConfirmAsync(owner, id, Cart(Domain12), PaymentCollector.BankTransferMethod, "t")).Value.Invoice;

        ResultAssert.Fails(await _h.Billing().IssueCreditNoteAsync(id, unpaid.Id, 100, "goodwill", refundToWallet: true), "INVOICE_NOT_PAID");

        Assert.Empty(_h.Query(db => db.Set<CreditNote>().ToList()));
        Assert.Equal(0, Balance(id));
    }

    [Fact]
    [Trait("Rule", "ORD-2")]
    [Trait("Rule", "BIL-7")]
    public async Task ARenewal_AddsThePeriodItIsPricedFor()
    {
        var (owner, id) = await OrganizationAsync(walletBalance: 50_000);
        var placed = (await _h.Orders().ConfirmAsync(owner, id, Cart(new CartLine(ProductType.WebHosting, "www.meier.ch", 1, false)), BillingService.WalletMethod, "o")).Value;
        var product = placed.Products[0].Id;
        var renewed = (await _h.Billing().CheckoutAsync(owner, id, BillingWorld.Checkout([product], "r1"))).Value;

        Assert.Equal(960, renewed.Lines[0].NetMinor);
        Assert.Equal(_h.Clock.GetUtcNow().AddMonths(2), Products(id).Single().RenewalDate);
    }

    [Fact]
    [Trait("Rule", "BIL-10")]
    public async Task CataloguePrices_AreBounded_SoNoCartOverflows()
    {
        ResultAssert.Fails(await _h.BillingAdmin().SetPriceAsync(new CatalogueEntry(ProductType.CloudServer, long.MaxValue / 2, "CHF", 12, 810)), "INVALID_PRICE");
        Assert.True((await _h.BillingAdmin().SetPriceAsync(new CatalogueEntry(ProductType.CloudServer, BillingAdministration.MaxPriceMinor, "CHF", 12, 810))).IsSuccess);
        var (owner, id) = await OrganizationAsync();
        var lines = Enumerable.Range(0, Hosting.Core.Billing.Cart.MaxLines).Select(i => new CartLine(ProductType.CloudServer, $"vm{i}", 12, false)).ToArray();

        var summary = (await _h.Orders().SummarizeAsync(owner, id, Cart(lines))).Value;

        Assert.Equal(Hosting.Core.Billing.Cart.MaxLines * (BillingAdministration.MaxPriceMinor + Rounding.OfBasisPoints(BillingAdministration.MaxPriceMinor, 810)), summary.Quote.TotalMinor);
    }
}
