using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>Final invoices and credit notes (BIL-5) over the SQLite store: reading, the PDF, corrections and their lists.</summary>
public sealed class FinalInvoiceTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private Task<BillingWorld> WorldAsync(long walletBalance = 100_000) => BillingWorld.CreateAsync(_h, walletBalance);

    private static Task<Invoice> InvoiceAsync(BillingWorld w, bool paid = true, Guid? organizationId = null) => w.OrderAsync(paid, organizationId);

    private long Balance(Guid organizationId) => _h.Query(db => db.Set<Wallet>().Where(w => w.OrganizationId == organizationId).Sum(w => w.Balance));

    private List<CreditNote> CreditNotes() => _h.Query(db => db.Set<CreditNote>().ToList());

    [Fact]
    [Trait("Rule", "BIL-5")]
    public async Task GetInvoice_ReturnsTheOrganizationsOwn_AndAnUnknownOrAnotherOrganizationsAsNotFound()
    {
        var w = await WorldAsync();
        var own = await InvoiceAsync(w);
        var foreign = await InvoiceAsync(w, organizationId: w.OtherOrganizationId);

        var read = (await _h.Billing().GetInvoiceAsync(w.Owner, w.OrganizationId, own.Id)).Value;

        Assert.Equal((own.Id, own.Number, own.TotalMinor, InvoiceState.Paid), (read.Id, read.Number, read.TotalMinor, read.State));
        foreach (var id in new[] { Guid.NewGuid(), foreign.Id })
        {
            var error = ResultAssert.Fails(await _h.Billing().GetInvoiceAsync(w.Owner, w.OrganizationId, id), "INVOICE_NOT_FOUND");
            Assert.Equal(ErrorKind.NotFound, error.Kind);
            ResultAssert.Fails(await _h.Billing().InvoicePdfAsync(w.Owner, w.OrganizationId, id), "INVOICE_NOT_FOUND");
        }

        Assert.Equal(foreign.Id, (await _h.Billing().GetInvoiceAsync(w.Owner, w.OtherOrganizationId, foreign.Id)).Value.Id);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    [Trait("Rule", "BIL-2")]
    public async Task InvoicesAndCreditNotes_AreRefusedToAMemberWithoutBillingRights_AndToAStranger()
    {
        var w = await WorldAsync();
        var invoice = await InvoiceAsync(w);

        foreach (var (user, reason) in new[] { (w.Tech, "BILLING_RIGHTS_REQUIRED"), (w.Stranger, "ORGANIZATION_NOT_FOUND") })
        {
            ResultAssert.Fails(await _h.Billing().GetInvoiceAsync(user, w.OrganizationId, invoice.Id), reason);
            ResultAssert.Fails(await _h.Billing().InvoicePdfAsync(user, w.OrganizationId, invoice.Id), reason);
            ResultAssert.Fails(await _h.Billing().ListInvoicesAsync(user, w.OrganizationId, 0, null), reason);
            ResultAssert.Fails(await _h.Billing().ListCreditNotesAsync(user, w.OrganizationId, 0, null), reason);
        }
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public async Task ThePdf_IsThePaidInvoicesOnly_UnpaidAndCancelledOnesAreRefusedSayingWhy()
    {
        var w = await WorldAsync();
        var paid = await InvoiceAsync(w);
        var unpaid = await InvoiceAsync(w, paid: false);
        var cancelled = await InvoiceAsync(w, paid: false);
        Assert.True((await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, cancelled.Id, null)).IsSuccess);

        var pdf = (await _h.Billing().InvoicePdfAsync(w.Owner, w.OrganizationId, paid.Id)).Value;

        Assert.Equal("%PDF"u8.ToArray(), pdf.Take(4).ToArray());
        Assert.Equal(ErrorKind.FailedPrecondition, ResultAssert.Fails(await _h.Billing().InvoicePdfAsync(w.Owner, w.OrganizationId, unpaid.Id), "INVOICE_NOT_PAID").Kind);
        Assert.Equal(ErrorKind.FailedPrecondition, ResultAssert.Fails(await _h.Billing().InvoicePdfAsync(w.Owner, w.OrganizationId, cancelled.Id), "INVOICE_CANCELLED").Kind);
    }

    [Theory]
    [Trait("Rule", "BIL-5")]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public async Task ACreditNoteOfNoOrANegativeAmount_IsRefused(long amount)
    {
        var w = await WorldAsync();
        var invoice = await InvoiceAsync(w);

        var error = ResultAssert.Fails(await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, amount, "Goodwill", refundToWallet: true), "INVALID_AMOUNT");

        Assert.Equal("amount_minor", Assert.Single(error.Fields).Field);
        Assert.Empty(CreditNotes());
        Assert.Equal(100_000 - invoice.TotalMinor, Balance(w.OrganizationId));
    }

    [Theory]
    [Trait("Rule", "BIL-5")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(501)]
    public async Task ACreditNoteWithoutAReason_OrWithOneTooLong_IsRefused(object? reason)
    {
        var w = await WorldAsync();
        var invoice = await InvoiceAsync(w);
        var text = reason is int length ? new string('r', length) : (string?)reason;

        // The reason is checked first: an amount of zero does not change the answer.
        var error = ResultAssert.Fails(await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, 0, text, refundToWallet: false), "REASON_REQUIRED");

        Assert.Equal("reason", Assert.Single(error.Fields).Field);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Empty(CreditNotes());
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public async Task ACreditNoteThatLosesEveryRace_IsTriedItsAttemptsAndNoMore_AndRefundsNothing()
    {
        _h.BillingOptions = _h.BillingOptions with { MaxAttempts = 3 };
        var w = await WorldAsync();
        var invoice = await InvoiceAsync(w);

        var attempts = await _h.AttemptsLosingEveryRaceAsync("CreditNotes", () => _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, 1_000, "Goodwill", refundToWallet: true));

        Assert.Equal(3, attempts);
        Assert.Empty(CreditNotes());
        Assert.Equal(100_000 - invoice.TotalMinor, Balance(w.OrganizationId));
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public async Task ACreditNoteReason_IsTrimmed_AndFiveHundredCharactersAreAccepted()
    {
        var w = await WorldAsync();
        var invoice = await InvoiceAsync(w);
        var longest = new string('r', 500);

        var trimmed = (await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, 1, "  Hosting down  ", refundToWallet: false)).Value;
        var padded = (await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, 1, " " + longest + " ", refundToWallet: false)).Value;

        Assert.Equal("Hosting down", trimmed.Reason);
        Assert.Equal(longest, padded.Reason);
        Assert.Equal(["Hosting down", longest], CreditNotes().OrderBy(c => c.SequenceNumber).Select(c => c.Reason));
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public async Task ACreditNoteOfExactlyTheTotal_IsIssued_AndOneMoreMinorUnitIsNot()
    {
        var w = await WorldAsync();
        var invoice = await InvoiceAsync(w);
        var other = await InvoiceAsync(w);

        var error = ResultAssert.Fails(await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, invoice.TotalMinor + 1, "Too much", refundToWallet: true), "CREDIT_EXCEEDS_INVOICE");
        Assert.Equal(ErrorKind.FailedPrecondition, error.Kind);
        Assert.Equal("amount_minor", Assert.Single(error.Fields).Field);
        Assert.Empty(CreditNotes());

        var note = (await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, invoice.TotalMinor, "All of it", refundToWallet: false)).Value;

        Assert.Equal((invoice.Id, w.OrganizationId, invoice.TotalMinor, invoice.Currency, "CN00000001"), (note.InvoiceId, note.OrganizationId, note.AmountMinor, note.Currency, note.Number));
        Assert.Equal(_h.Clock.GetUtcNow(), note.IssuedAt);
        ResultAssert.Fails(await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, 1, "One more", refundToWallet: false), "CREDIT_EXCEEDS_INVOICE");

        // Another invoice's credit notes do not count against this one.
        Assert.True((await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, other.Id, other.TotalMinor, "All of the other", refundToWallet: false)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public async Task SeveralCreditNotes_SumUpToTheTotal_TheRemainderExactly_AndNotOneMore()
    {
        var w = await WorldAsync();
        var invoice = await InvoiceAsync(w);
        var third = invoice.TotalMinor / 3;

        Assert.True((await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, third, "First", refundToWallet: false)).IsSuccess);
        Assert.True((await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, third, "Second", refundToWallet: false)).IsSuccess);
        var remainder = invoice.TotalMinor - 2 * third;
        ResultAssert.Fails(await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, remainder + 1, "Too much", refundToWallet: false), "CREDIT_EXCEEDS_INVOICE");
        var last = (await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, remainder, "Rest", refundToWallet: false)).Value;

        Assert.Equal("CN00000003", last.Number);
        Assert.Equal(invoice.TotalMinor, CreditNotes().Sum(c => c.AmountMinor));
        Assert.Equal(invoice.TotalMinor, (await _h.Billing().GetInvoiceAsync(w.Owner, w.OrganizationId, invoice.Id)).Value.TotalMinor);
        Assert.Equal(InvoiceState.Paid, (await _h.Billing().GetInvoiceAsync(w.Owner, w.OrganizationId, invoice.Id)).Value.State);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public async Task ACreditNoteIssuedMeanwhile_CountsAgainstTheTotal_SoTogetherTheyNeverExceedIt()
    {
        var w = await WorldAsync();
        var invoice = await InvoiceAsync(w);

        // Support credits the whole invoice just after this request has read its credit notes.
        var other = new AfterFirstRead("CreditNotes", async () => (await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, invoice.TotalMinor, "All of it", refundToWallet: true)).IsSuccess);
        _h.Interceptor = other;
        var late = await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, 1, "One more", refundToWallet: true);
        _h.Interceptor = null;

        Assert.True(other.Succeeded);
        ResultAssert.Fails(late, "CREDIT_EXCEEDS_INVOICE");
        Assert.Equal(invoice.TotalMinor, Assert.Single(CreditNotes()).AmountMinor);
        Assert.Equal(100_000, Balance(w.OrganizationId));
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    [Trait("Rule", "WAL-1")]
    public async Task ARefundToTheWallet_CreditsItOnce_AndACreditNoteWithoutRefundLeavesItAlone()
    {
        var w = await WorldAsync();
        var invoice = await InvoiceAsync(w);
        var before = Balance(w.OrganizationId);

        var kept = (await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, 300, "No refund", refundToWallet: false)).Value;
        Assert.Null(kept.RefundTransactionId);
        Assert.Equal(before, Balance(w.OrganizationId));

        var refunded = (await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, 700, "Refund", refundToWallet: true)).Value;

        Assert.Equal(before + 700, Balance(w.OrganizationId));
        var transaction = _h.Query(db => db.Set<LedgerTransaction>().Single(t => t.Id == refunded.RefundTransactionId));
        Assert.Equal("credit-note:2", transaction.Reference);
        Assert.Equal(700, transaction.WalletAmount);
        Assert.Equal(invoice.Currency, transaction.Currency);
        Assert.Equal(100_000, Balance(w.OtherOrganizationId));
        Assert.Empty(await _h.Auditor().AuditAsync());
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    [Trait("Rule", "ORD-4")]
    public async Task ACreditNote_NeedsAPaidInvoiceOfThatOrganization()
    {
        var w = await WorldAsync();
        var unpaid = await InvoiceAsync(w, paid: false);
        var cancelled = await InvoiceAsync(w, paid: false);
        Assert.True((await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, cancelled.Id, null)).IsSuccess);
        var foreign = await InvoiceAsync(w, organizationId: w.OtherOrganizationId);
        var notes = CreditNotes().Count;

        Assert.Equal(ErrorKind.FailedPrecondition, ResultAssert.Fails(await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, unpaid.Id, 1, "x", true), "INVOICE_NOT_PAID").Kind);
        ResultAssert.Fails(await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, cancelled.Id, 1, "x", true), "INVOICE_CANCELLED");
        ResultAssert.Fails(await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, foreign.Id, 1, "x", true), "INVOICE_NOT_FOUND");
        ResultAssert.Fails(await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, Guid.NewGuid(), 1, "x", true), "INVOICE_NOT_FOUND");

        Assert.Equal(notes, CreditNotes().Count);
        Assert.Equal(100_000, Balance(w.OrganizationId));
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    [Trait("Rule", "API-4")]
    public async Task CreditNotes_ArePagedNewestFirst_WithoutRepeatOrLoss_AndOnlyTheOrganizations()
    {
        var w = await WorldAsync();
        var invoice = await InvoiceAsync(w);
        var foreign = await InvoiceAsync(w, organizationId: w.OtherOrganizationId);
        Assert.True((await _h.Billing().IssueCreditNoteAsync(w.OtherOrganizationId, foreign.Id, 1, "Theirs", false)).IsSuccess);
        var issued = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            _h.Clock.Advance(TimeSpan.FromMinutes(1));
            issued.Add((await _h.Billing().IssueCreditNoteAsync(w.OrganizationId, invoice.Id, 1, $"Note {i}", false)).Value.Id);
        }

        issued.Reverse();
        var first = (await _h.Billing().ListCreditNotesAsync(w.Owner, w.OrganizationId, 2, null)).Value;
        var second = (await _h.Billing().ListCreditNotesAsync(w.Owner, w.OrganizationId, 2, first.NextPageToken)).Value;

        Assert.Equal(issued, first.Items.Concat(second.Items).Select(c => c.Id));
        Assert.NotEqual(string.Empty, first.NextPageToken);
        Assert.Equal(string.Empty, second.NextPageToken);
        var whole = (await _h.Billing().ListCreditNotesAsync(w.Owner, w.OrganizationId, 3, null)).Value;
        Assert.Equal(issued, whole.Items.Select(c => c.Id));
        Assert.Equal(string.Empty, whole.NextPageToken);
        ResultAssert.Fails(await _h.Billing().ListCreditNotesAsync(w.Owner, w.OrganizationId, -1, null), "INVALID_PAGE_SIZE");
        ResultAssert.Fails(await _h.Billing().ListCreditNotesAsync(w.Owner, w.OrganizationId, 0, "not-a-token"), "INVALID_PAGE_TOKEN");
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    [Trait("Rule", "API-4")]
    public async Task Invoices_ArePagedNewestFirst_AndFilteredByEachState()
    {
        var w = await WorldAsync();
        var paid = await InvoiceAsync(w);
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        var unpaid = await InvoiceAsync(w, paid: false);
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        var cancelled = await InvoiceAsync(w, paid: false);
        Assert.True((await _h.UnpaidInvoices().CancelAsync(w.OrganizationId, cancelled.Id, null)).IsSuccess);
        await InvoiceAsync(w, organizationId: w.OtherOrganizationId);

        async Task<List<Guid>> ListAsync(InvoiceState? state) => (await _h.Billing().ListInvoicesAsync(w.Owner, w.OrganizationId, 0, null, default, state)).Value.Items.Select(i => i.Id).ToList();

        Assert.Equal([cancelled.Id, unpaid.Id, paid.Id], await ListAsync(null));
        Assert.Equal([paid.Id], await ListAsync(InvoiceState.Paid));
        Assert.Equal([unpaid.Id], await ListAsync(InvoiceState.Unpaid));
        Assert.Equal([cancelled.Id], await ListAsync(InvoiceState.Cancelled));
        var first = (await _h.Billing().ListInvoicesAsync(w.Owner, w.OrganizationId, 2, null)).Value;
        var second = (await _h.Billing().ListInvoicesAsync(w.Owner, w.OrganizationId, 2, first.NextPageToken)).Value;
        Assert.Equal([cancelled.Id, unpaid.Id, paid.Id], first.Items.Concat(second.Items).Select(i => i.Id));
        Assert.Equal(string.Empty, second.NextPageToken);
        ResultAssert.Fails(await _h.Billing().ListInvoicesAsync(w.Owner, w.OrganizationId, -1, null), "INVALID_PAGE_SIZE");
    }
}
