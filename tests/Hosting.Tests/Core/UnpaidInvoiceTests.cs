using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>Unpaid invoices (ORD-3, ORD-4, WAL-7) over the SQLite store: cancelled before payment, or paid once.</summary>
public sealed class UnpaidInvoiceTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private Task<BillingWorld> WorldAsync(long walletBalance = 100_000) => BillingWorld.CreateAsync(_h, walletBalance);

    private static Money Chf(long minor) => Money.FromTrusted(minor, "CHF");

    private static string NameOf(Invoice invoice) => $"organizations/{invoice.OrganizationId}/invoices/{invoice.Id}";

    private static Task<Invoice> UnpaidAsync(BillingWorld w, Guid? organizationId = null, ProductType type = ProductType.DomainName) =>
        w.OrderAsync(paid: false, organizationId, type);

    private Invoice Reload(Invoice invoice) => _h.Query(db => db.Set<Invoice>().Single(i => i.Id == invoice.Id));

    private List<Product> ProductsOf(Invoice invoice) => _h.Query(db => db.Set<Product>().Where(p => p.OrganizationId == invoice.OrganizationId).ToList())
        .Where(p => invoice.Lines.Any(l => l.ProductId == p.Id)).ToList();

    private long Balance(Guid organizationId) => _h.Query(db => db.Set<Wallet>().Where(w => w.OrganizationId == organizationId).Sum(w => w.Balance));

    private List<CreditNote> CreditNotes() => _h.Query(db => db.Set<CreditNote>().ToList());

    /// <summary>The invoice is still unpaid, its product pending, and no money moved.</summary>
    private void AssertUntouched(Invoice invoice, long balance)
    {
        Assert.Equal(InvoiceState.Unpaid, Reload(invoice).State);
        Assert.True(Assert.Single(ProductsOf(invoice)).AwaitsInvoice);
        Assert.Equal(balance, Balance(invoice.OrganizationId));
    }

    [Theory]
    [Trait("Rule", "ORD-4")]
    [Trait("Rule", "BIL-5")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task CancellingWithoutAReason_IssuesAFullCreditNote_WithTheDefaultReason(string? reason)
    {
        var w = await WorldAsync();
        var invoice = await UnpaidAsync(w);
        _h.Clock.Advance(TimeSpan.FromHours(2));

        var cancelled = (await _h.UnpaidInvoices().CancelAsync(w.Owner, w.OrganizationId, invoice.Id, reason)).Value;

        Assert.Equal("Cancelled before payment", UnpaidInvoiceService.DefaultReason);
        var note = Assert.Single(CreditNotes());
        Assert.Equal(cancelled.CreditNote.Id, note.Id);
        Assert.Equal((invoice.Id, w.OrganizationId, invoice.TotalMinor, invoice.Currency, UnpaidInvoiceService.DefaultReason), (note.InvoiceId, note.OrganizationId, note.AmountMinor, note.Currency, note.Reason));
        Assert.Equal("CN00000001", note.Number);
        Assert.Equal(_h.Clock.GetUtcNow(), note.IssuedAt);
        Assert.Null(note.RefundTransactionId);
        var stored = Reload(invoice);
        Assert.Equal(InvoiceState.Cancelled, stored.State);
        Assert.Equal(_h.Clock.GetUtcNow(), stored.CancelledAt);
        Assert.Equal(invoice.Number, stored.Number);
        Assert.Equal(invoice.TotalMinor, stored.TotalMinor);
        Assert.Equal(100_000, Balance(w.OrganizationId));
    }

    [Fact]
    [Trait("Rule", "ORD-4")]
    public async Task ACancellationThatLosesEveryRace_IsTriedItsAttemptsAndNoMore_AndLeavesTheInvoiceUnpaid()
    {
        _h.BillingOptions = _h.BillingOptions with { MaxAttempts = 3 };
        var w = await WorldAsync();
        var invoice = await UnpaidAsync(w);

        var attempts = await _h.AttemptsLosingEveryRaceAsync("CreditNotes", () => _h.UnpaidInvoices().CancelAsync(w.Owner, w.OrganizationId, invoice.Id, "Customer asked"));

        Assert.Equal(3, attempts);
        Assert.Empty(CreditNotes());
        AssertUntouched(invoice, 100_000);
    }

    [Fact]
    [Trait("Rule", "ORD-4")]
    public async Task ACancellationReason_IsTrimmed_AndFiveHundredCharactersAreAccepted()
    {
        var w = await WorldAsync();
        var first = await UnpaidAsync(w);
        var second = await UnpaidAsync(w);
        var longest = new string('r', 500);

        Assert.Equal("Customer asked", (await _h.UnpaidInvoices().CancelAsync(w.Owner, w.OrganizationId, first.Id, "  Customer asked ")).Value.CreditNote.Reason);
        Assert.Equal(longest, (await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, second.Id, " " + longest + " ")).Value.CreditNote.Reason);

        Assert.Equal(["CN00000001", "CN00000002"], CreditNotes().OrderBy(c => c.SequenceNumber).Select(c => c.Number));
    }

    [Theory]
    [Trait("Rule", "ORD-4")]
    [InlineData(501)]
    [InlineData(-1)]
    public async Task AReasonTooLongOrWithAControlCharacter_IsRefused_AndTheInvoiceStaysUnpaid(int length)
    {
        var w = await WorldAsync();
        var invoice = await UnpaidAsync(w);
        var reason = length > 0 ? new string('r', length) : "Customer\u0000asked";

        foreach (var result in new[] { await _h.UnpaidInvoices().CancelAsync(w.Owner, w.OrganizationId, invoice.Id, reason), await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, invoice.Id, reason) })
        {
            var error = ResultAssert.Fails(result, "INVALID_REASON");
            Assert.Equal("reason", Assert.Single(error.Fields).Field);
        }

        AssertUntouched(invoice, 100_000);
        Assert.Empty(CreditNotes());
    }

    [Fact]
    [Trait("Rule", "ORD-4")]
    [Trait("Rule", "BIL-2")]
    public async Task OnlyABillingMemberCancels_AndAnotherOrganizationsOrAnUnknownInvoiceIsNotFound()
    {
        var w = await WorldAsync();
        var invoice = await UnpaidAsync(w);
        var foreign = await UnpaidAsync(w, w.OtherOrganizationId);

        ResultAssert.Fails(await _h.UnpaidInvoices().CancelAsync(w.Tech, w.OrganizationId, invoice.Id, null), "BILLING_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _h.UnpaidInvoices().CancelAsync(w.Stranger, w.OrganizationId, invoice.Id, null), "ORGANIZATION_NOT_FOUND");
        foreach (var id in new[] { foreign.Id, Guid.NewGuid() })
        {
            Assert.Equal(ErrorKind.NotFound, ResultAssert.Fails(await _h.UnpaidInvoices().CancelAsync(w.Owner, w.OrganizationId, id, null), "INVOICE_NOT_FOUND").Kind);
            ResultAssert.Fails(await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, id, null), "INVOICE_NOT_FOUND");
        }

        AssertUntouched(invoice, 100_000);
        AssertUntouched(foreign, 100_000);
        Assert.Empty(CreditNotes());
    }

    [Fact]
    [Trait("Rule", "ORD-4")]
    public async Task APaidInvoice_CannotBeCancelled_AndACancelledOneIsNotCancelledTwice()
    {
        var w = await WorldAsync();
        var paid = await UnpaidAsync(w);
        Assert.True((await _h.UnpaidInvoices().PayAsync(w.Owner, w.OrganizationId, paid.Id, BillingService.WalletMethod, "pay-1")).IsSuccess);
        var cancelled = await UnpaidAsync(w);
        Assert.True((await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, cancelled.Id, null)).IsSuccess);
        var balance = Balance(w.OrganizationId);

        Assert.Equal(ErrorKind.FailedPrecondition, ResultAssert.Fails(await _h.UnpaidInvoices().CancelAsync(w.Owner, w.OrganizationId, paid.Id, null), "INVOICE_ALREADY_PAID").Kind);
        ResultAssert.Fails(await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, paid.Id, "Support"), "INVOICE_ALREADY_PAID");
        ResultAssert.Fails(await _h.UnpaidInvoices().CancelAsync(w.Owner, w.OrganizationId, cancelled.Id, null), "INVOICE_CANCELLED");
        ResultAssert.Fails(await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, cancelled.Id, "Again"), "INVOICE_CANCELLED");

        Assert.Equal(InvoiceState.Paid, Reload(paid).State);
        Assert.Equal(ProductStatus.Active, Assert.Single(ProductsOf(paid)).Status);
        Assert.Equal(cancelled.Id, Assert.Single(CreditNotes()).InvoiceId);
        Assert.Equal(balance, Balance(w.OrganizationId));
    }

    [Fact]
    [Trait("Rule", "ORD-4")]
    [Trait("Rule", "ORD-3")]
    public async Task ACancellationThatFindsTheInvoicePaidMeanwhile_IsRefused_AndThePaymentStands()
    {
        var w = await WorldAsync();
        var invoice = await UnpaidAsync(w);

        // The payment commits just after the cancellation has read the invoice unpaid.
        var payment = new AfterFirstRead("Invoices", async () => (await _h.UnpaidInvoices().PayAsync(w.Owner, w.OrganizationId, invoice.Id, BillingService.WalletMethod, "pay-1")).IsSuccess);
        _h.Interceptor = payment;
        var cancelled = await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, invoice.Id, null);
        _h.Interceptor = null;

        Assert.True(payment.Succeeded);
        ResultAssert.Fails(cancelled, "INVOICE_ALREADY_PAID");
        Assert.Equal(InvoiceState.Paid, Reload(invoice).State);
        Assert.Equal(ProductStatus.Active, Assert.Single(ProductsOf(invoice)).Status);
        Assert.Empty(CreditNotes());
        Assert.Equal(100_000 - invoice.TotalMinor, Balance(w.OrganizationId));
    }

    [Fact]
    [Trait("Rule", "ORD-4")]
    [Trait("Rule", "ORD-3")]
    public async Task APaymentThatFindsTheInvoiceCancelledMeanwhile_IsRefused_AndChargesNothing()
    {
        var w = await WorldAsync();
        var invoice = await UnpaidAsync(w);

        var cancellation = new AfterFirstRead("Invoices", async () => (await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, invoice.Id, null)).IsSuccess);
        _h.Interceptor = cancellation;
        var paid = await _h.UnpaidInvoices().PayAsync(w.Owner, w.OrganizationId, invoice.Id, BillingService.WalletMethod, "pay-1");
        _h.Interceptor = null;

        Assert.True(cancellation.Succeeded);
        ResultAssert.Fails(paid, "INVOICE_CANCELLED");
        Assert.Equal(InvoiceState.Cancelled, Reload(invoice).State);
        Assert.Empty(ProductsOf(invoice));
        Assert.Equal(100_000, Balance(w.OrganizationId));
        Assert.Empty(await _h.Auditor().AuditAsync());
    }

    [Fact]
    [Trait("Rule", "ORD-4")]
    [Trait("Rule", "BIL-5")]
    public async Task Cancelling_RemovesOnlyThatInvoicesPendingProducts_AndSharesTheCreditNoteNumbers()
    {
        var w = await WorldAsync();
        var cancelled = await UnpaidAsync(w);
        var kept = await UnpaidAsync(w, type: ProductType.WebHosting);
        var paid = (await _h.Orders().ConfirmAsync(w.Owner, w.OrganizationId, new Cart([new CartLine(ProductType.DomainName, "paid.ch", 12, false)], null, null), BillingService.WalletMethod, "paid")).Value.Invoice;
        Assert.True((await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, paid.Id, 1, "Goodwill", false)).IsSuccess);
        var removed = Assert.Single(ProductsOf(cancelled)).Id;

        var result = (await _h.UnpaidInvoices().CancelAsync(w.Owner, w.OrganizationId, cancelled.Id, null)).Value;

        Assert.Equal("CN00000002", result.CreditNote.Number);
        Assert.Equal("CN00000002", CreditNotes().Single(c => c.InvoiceId == cancelled.Id).Number);
        Assert.Empty(_h.Query(db => db.Set<Product>().Where(p => p.Id == removed).ToList()));
        Assert.True(Assert.Single(ProductsOf(kept)).AwaitsInvoice);
        Assert.Equal(ProductStatus.Active, Assert.Single(ProductsOf(paid)).Status);
        Assert.Equal([kept.Id], (await _h.Billing().ToPayAsync(w.Owner, w.OrganizationId, 0, null)).Value.UnpaidInvoices.Select(i => i.Id));
        Assert.Equal("CN00000003", (await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, paid.Id, 1, "Goodwill", false)).Value.Number);
    }

    [Fact]
    [Trait("Rule", "ORD-3")]
    [Trait("Rule", "BIL-2")]
    public async Task Paying_NeedsBillingRights_ThenAValidRequestId_ThenAnImmediateMethod()
    {
        var w = await WorldAsync();
        var invoice = await UnpaidAsync(w);
        var pay = _h.UnpaidInvoices();

        ResultAssert.Fails(await pay.PayAsync(w.Tech, w.OrganizationId, invoice.Id, "cash", ""), "BILLING_RIGHTS_REQUIRED");
        ResultAssert.Fails(await pay.PayAsync(w.Stranger, w.OrganizationId, invoice.Id, BillingService.WalletMethod, "p"), "ORGANIZATION_NOT_FOUND");
        foreach (var requestId in new[] { null, "", new string('r', 65), "pay 1", "pay/1", "päy" })
        {
            var error = ResultAssert.Fails(await pay.PayAsync(w.Owner, w.OrganizationId, invoice.Id, "cash", requestId), "INVALID_REQUEST_ID");
            Assert.Equal("request_id", Assert.Single(error.Fields).Field);
        }

        foreach (var method in new[] { null, "", "cash", "Wallet" })
        {
            var error = ResultAssert.Fails(await pay.PayAsync(w.Owner, w.OrganizationId, invoice.Id, method, "p1"), "UNKNOWN_PAYMENT_METHOD");
            Assert.Equal("payment_method", Assert.Single(error.Fields).Field);
        }

        ResultAssert.Fails(await pay.PayAsync(w.Owner, w.OrganizationId, invoice.Id, PaymentCollector.BankTransferMethod, "p1"), "DEFERRED_PAYMENT_NOT_ALLOWED");
        AssertUntouched(invoice, 100_000);

        Assert.True((await pay.PayAsync(w.Owner, w.OrganizationId, invoice.Id, BillingService.WalletMethod, "A-z_0-9" + new string('r', 57))).IsSuccess);
        Assert.Equal(InvoiceState.Paid, Reload(invoice).State);
    }

    [Fact]
    [Trait("Rule", "ORD-3")]
    public async Task PayingByCard_PaysAndActivatesWithoutTouchingTheWallet()
    {
        var w = await WorldAsync();
        var invoice = await UnpaidAsync(w);
        _h.Clock.Advance(TimeSpan.FromDays(2));

        var paid = (await _h.UnpaidInvoices().PayAsync(w.Owner, w.OrganizationId, invoice.Id, SimulatedPaymentGateway.Success, "card-1")).Value;

        Assert.Equal(InvoiceState.Paid, paid.State);
        var stored = Reload(invoice);
        Assert.Equal((InvoiceState.Paid, SimulatedPaymentGateway.Success, _h.Clock.GetUtcNow()), (stored.State, stored.PaymentMethod, stored.PaidAt));
        var product = Assert.Single(ProductsOf(invoice));
        Assert.Equal(ProductStatus.Active, product.Status);
        Assert.False(product.AwaitsInvoice);
        Assert.Equal(_h.Clock.GetUtcNow().AddMonths(12), product.RenewalDate);
        Assert.Equal(100_000, Balance(w.OrganizationId));
    }

    [Theory]
    [Trait("Rule", "ORD-3")]
    [InlineData(SimulatedPaymentGateway.Decline, 100_000, "PAYMENT_DECLINED")]
    [InlineData(BillingService.WalletMethod, 0, "INSUFFICIENT_FUNDS")]
    public async Task ARefusedPayment_LeavesTheInvoiceUnpaid_AndItsProductPending(string method, long balance, string reason)
    {
        var w = await WorldAsync(balance);
        var invoice = await UnpaidAsync(w);

        ResultAssert.Fails(await _h.UnpaidInvoices().PayAsync(w.Owner, w.OrganizationId, invoice.Id, method, "p1"), reason);

        AssertUntouched(invoice, balance);
        Assert.Empty(await _h.Auditor().AuditAsync());
    }

    [Fact]
    [Trait("Rule", "ORD-3")]
    public async Task PayingAnUnknownOrAnotherOrganizationsOrACancelledInvoice_IsRefused()
    {
        var w = await WorldAsync();
        var foreign = await UnpaidAsync(w, w.OtherOrganizationId);
        var cancelled = await UnpaidAsync(w);
        Assert.True((await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, cancelled.Id, null)).IsSuccess);

        ResultAssert.Fails(await _h.UnpaidInvoices().PayAsync(w.Owner, w.OrganizationId, foreign.Id, BillingService.WalletMethod, "p1"), "INVOICE_NOT_FOUND");
        ResultAssert.Fails(await _h.UnpaidInvoices().PayAsync(w.Owner, w.OrganizationId, Guid.NewGuid(), BillingService.WalletMethod, "p2"), "INVOICE_NOT_FOUND");
        ResultAssert.Fails(await _h.UnpaidInvoices().PayAsync(w.Owner, w.OrganizationId, cancelled.Id, BillingService.WalletMethod, "p3"), "INVOICE_CANCELLED");

        AssertUntouched(foreign, 100_000);
        Assert.Equal(100_000, Balance(w.OrganizationId));
    }

    [Fact]
    [Trait("Rule", "ORD-3")]
    [Trait("Rule", "WAL-6")]
    public async Task ARequestIdReplay_ReturnsTheFirstPayment_AndUsedForAnotherInvoiceIsRefused()
    {
        var w = await WorldAsync();
        var invoice = await UnpaidAsync(w);
        var other = await UnpaidAsync(w);

        var first = (await _h.UnpaidInvoices().PayAsync(w.Owner, w.OrganizationId, invoice.Id, BillingService.WalletMethod, "pay-1")).Value;
        var replay = (await _h.UnpaidInvoices().PayAsync(w.Owner, w.OrganizationId, invoice.Id, BillingService.WalletMethod, "pay-1")).Value;

        Assert.Equal((first.Id, first.PaymentReference), (replay.Id, replay.PaymentReference));
        Assert.Equal(InvoiceState.Paid, replay.State);
        Assert.Equal(100_000 - invoice.TotalMinor, Balance(w.OrganizationId));
        ResultAssert.Fails(await _h.UnpaidInvoices().PayAsync(w.Owner, w.OrganizationId, other.Id, BillingService.WalletMethod, "pay-1"), "REQUEST_ID_REUSED");
        AssertUntouched(other, 100_000 - invoice.TotalMinor);

        // Request ids are the organization's: another organization may use the same one.
        var foreign = await UnpaidAsync(w, w.OtherOrganizationId);
        Assert.True((await _h.UnpaidInvoices().PayAsync(w.Owner, w.OtherOrganizationId, foreign.Id, BillingService.WalletMethod, "pay-1")).IsSuccess);
        Assert.Equal(InvoiceState.Paid, Reload(foreign).State);
    }

    [Fact]
    [Trait("Rule", "WAL-7")]
    [Trait("Rule", "BIL-2")]
    public async Task PayFromWallet_NeedsBillingRights_ARequestId_AndAPositiveAmount_BeforeLookingAtTheReference()
    {
        var w = await WorldAsync();
        var invoice = await UnpaidAsync(w);
        var pay = _h.UnpaidInvoices();

        ResultAssert.Fails(await pay.PayFromWalletAsync(w.Tech, w.OrganizationId, Chf(0), "nonsense", ""), "BILLING_RIGHTS_REQUIRED");
        ResultAssert.Fails(await pay.PayFromWalletAsync(w.Stranger, w.OrganizationId, Chf(invoice.TotalMinor), NameOf(invoice), "p1"), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await pay.PayFromWalletAsync(w.Owner, w.OrganizationId, Chf(0), "nonsense", "bad id"), "INVALID_REQUEST_ID");
        ResultAssert.Fails(await pay.PayFromWalletAsync(w.Owner, w.OrganizationId, Chf(invoice.TotalMinor), NameOf(invoice), null), "INVALID_REQUEST_ID");
        foreach (var amount in new[] { 0L, -1L })
        {
            var error = ResultAssert.Fails(await pay.PayFromWalletAsync(w.Owner, w.OrganizationId, Chf(amount), "nonsense", "p1"), "INVALID_AMOUNT");
            Assert.Equal("amount.minor", Assert.Single(error.Fields).Field);
        }

        var mismatch = ResultAssert.Fails(await pay.PayFromWalletAsync(w.Owner, w.OrganizationId, Chf(1), NameOf(invoice), "p1"), "AMOUNT_MISMATCH");
        Assert.Contains($"{invoice.TotalMinor} CHF", mismatch.Message, StringComparison.Ordinal);
        Assert.Equal("amount", Assert.Single(mismatch.Fields).Field);
        ResultAssert.Fails(await pay.PayFromWalletAsync(w.Owner, w.OrganizationId, Money.FromTrusted(invoice.TotalMinor, "EUR"), NameOf(invoice), "p1"), "AMOUNT_MISMATCH");
        AssertUntouched(invoice, 100_000);
    }

    [Fact]
    [Trait("Rule", "WAL-7")]
    public async Task PayFromWallet_RefusesAMadeUpReference_AndAnotherOrganizationsInvoice_Alike()
    {
        var w = await WorldAsync();
        var invoice = await UnpaidAsync(w);
        var foreign = await UnpaidAsync(w, w.OtherOrganizationId);
        string[] references =
        [
            $"organizations/{w.OrganizationId}/invoices/{Guid.NewGuid()}",
            NameOf(foreign),
            $"organizations/{w.OrganizationId}/invoices/{foreign.Id}",
            $"organisations/{w.OrganizationId}/invoices/{invoice.Id}",
            $"organizations/{w.OrganizationId}/invoice/{invoice.Id}",
            $"organizations/{w.OrganizationId}/invoices/{invoice.Id}/x",
            $"organizations/{w.OrganizationId}/invoices",
            $"organizations/x/invoices/{invoice.Id}",
            $"organizations/{w.OrganizationId}/invoices/x",
        ];

        foreach (var reference in references)
        {
            var error = ResultAssert.Fails(await _h.UnpaidInvoices().PayFromWalletAsync(w.Owner, w.OrganizationId, Chf(invoice.TotalMinor), reference, $"r-{Guid.NewGuid():N}"), "INVALID_REFERENCE");
            Assert.Equal("reference", Assert.Single(error.Fields).Field);
        }

        ResultAssert.Fails(await _h.UnpaidInvoices().PayFromWalletAsync(w.Owner, w.OrganizationId, Chf(invoice.TotalMinor), null, "r-null"), "INVALID_REFERENCE");
        AssertUntouched(invoice, 100_000);
        AssertUntouched(foreign, 100_000);
    }

    [Fact]
    [Trait("Rule", "WAL-7")]
    [Trait("Rule", "WAL-2")]
    public async Task PayFromWallet_MovesTheMoneyOnce_ActivatesTheProduct_AndSharesRequestIdsWithPay()
    {
        var w = await WorldAsync();
        var invoice = await UnpaidAsync(w);
        _h.Clock.Advance(TimeSpan.FromDays(1));

        var movement = (await _h.UnpaidInvoices().PayFromWalletAsync(w.Owner, w.OrganizationId, Chf(invoice.TotalMinor), NameOf(invoice), "pay-1")).Value;
        var replay = (await _h.UnpaidInvoices().PayFromWalletAsync(w.Owner, w.OrganizationId, Chf(invoice.TotalMinor), NameOf(invoice), "pay-1")).Value;
        var viaPay = (await _h.UnpaidInvoices().PayAsync(w.Owner, w.OrganizationId, invoice.Id, BillingService.WalletMethod, "pay-1")).Value;

        Assert.Equal(movement.Transaction.Id, replay.Transaction.Id);
        Assert.Equal(-invoice.TotalMinor, movement.Transaction.WalletAmount);
        Assert.Equal(100_000 - invoice.TotalMinor, movement.Wallet.Balance);
        Assert.Equal(100_000 - invoice.TotalMinor, Balance(w.OrganizationId));
        var stored = Reload(invoice);
        Assert.Equal((InvoiceState.Paid, PaymentCollector.WalletMethod), (stored.State, stored.PaymentMethod));
        Assert.Equal(movement.Transaction.Id, PaymentCollector.LedgerTransactionOf(stored.PaymentReference));
        Assert.Equal(stored.PaymentReference, viaPay.PaymentReference);
        var product = Assert.Single(ProductsOf(invoice));
        Assert.Equal(ProductStatus.Active, product.Status);
        Assert.Equal(_h.Clock.GetUtcNow().AddMonths(12), product.RenewalDate);
        Assert.Equal(100_000, Balance(w.OtherOrganizationId));
        Assert.Empty(await _h.Auditor().AuditAsync());
    }

    [Fact]
    [Trait("Rule", "WAL-7")]
    [Trait("Rule", "WAL-2")]
    public async Task PayFromWallet_RefusesAnInvoiceAlreadyPaidOrCancelled_AndABalanceTooLow()
    {
        // A top-up of one minor unit brings the balance to exactly the total.
        _h.WalletOptions = new WalletOptions { MinimumTopUp = 1 };
        var w = await WorldAsync(walletBalance: 0);
        var poor = await UnpaidAsync(w);
        Assert.True((await _h.Wallets().TopUpAsync(w.Owner, w.OrganizationId, Chf(poor.TotalMinor - 1), SimulatedPaymentGateway.Success, "fund")).IsSuccess);

        ResultAssert.Fails(await _h.UnpaidInvoices().PayFromWalletAsync(w.Owner, w.OrganizationId, Chf(poor.TotalMinor), NameOf(poor), "p1"), "INSUFFICIENT_FUNDS");
        AssertUntouched(poor, poor.TotalMinor - 1);

        Assert.True((await _h.Wallets().TopUpAsync(w.Owner, w.OrganizationId, Chf(1), SimulatedPaymentGateway.Success, "fund-2")).IsSuccess);
        Assert.True((await _h.UnpaidInvoices().PayFromWalletAsync(w.Owner, w.OrganizationId, Chf(poor.TotalMinor), NameOf(poor), "p2")).IsSuccess);
        Assert.Equal(0, Balance(w.OrganizationId));

        Assert.True((await _h.Wallets().TopUpAsync(w.Owner, w.OrganizationId, Chf(50_000), SimulatedPaymentGateway.Success, "fund-3")).IsSuccess);
        var cancelled = await UnpaidAsync(w);
        Assert.True((await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, cancelled.Id, null)).IsSuccess);
        ResultAssert.Fails(await _h.UnpaidInvoices().PayFromWalletAsync(w.Owner, w.OrganizationId, Chf(poor.TotalMinor), NameOf(poor), "p3"), "INVOICE_ALREADY_PAID");
        ResultAssert.Fails(await _h.UnpaidInvoices().PayFromWalletAsync(w.Owner, w.OrganizationId, Chf(cancelled.TotalMinor), NameOf(cancelled), "p4"), "INVOICE_CANCELLED");
        Assert.Equal(50_000, Balance(w.OrganizationId));
        Assert.Empty(await _h.Auditor().AuditAsync());
    }
}
