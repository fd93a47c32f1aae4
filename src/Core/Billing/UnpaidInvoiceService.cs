using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;

namespace Hosting.Core.Billing;

/// <summary>An invoice cancelled before payment and the credit note that cancels it (ORD-4).</summary>
public sealed record CancelledInvoice(Invoice Invoice, CreditNote CreditNote);

/// <summary>
/// What happens to an unpaid invoice (BIL-5, ORD-3, ORD-4): it is paid from "to pay" with any
/// immediate method, which activates its pending products once, or cancelled before payment by a
/// credit note for its full amount. The invoice's concurrency token lets exactly one of a payment
/// and a cancellation win.
/// </summary>
public sealed class UnpaidInvoiceService(
    IBillingStore store,
    IOrganizationStore organizations,
    WalletService wallets,
    TimeProvider clock,
    ISecretGenerator random,
    BillingOptions options)
{
    private readonly Pricing _pricing = new(store, clock);
    private readonly PaymentCollector _payments = new(wallets);
    private readonly IdempotentCommand _once = new(store, wallets.Charges, clock, options.MaxAttempts);

    /// <summary>The default reason of a cancellation.</summary>
    public const string DefaultReason = "Cancelled before payment";

    /// <summary>Pays an unpaid invoice with the wallet or a card and activates its products; the same request id returns the first result.</summary>
    public async Task<Result<Invoice>> PayAsync(AuthenticatedUser user, Guid organizationId, Guid invoiceId, string? paymentMethod, string? requestId, CancellationToken ct = default)
    {
        var member = await BillingMemberAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!member.IsSuccess)
        {
            return member.Error;
        }

        if (!RequestIds.IsValid(requestId))
        {
            return WalletErrors.RequestIdInvalid;
        }

        if (!_payments.PaysAtOnce(paymentMethod))
        {
            return paymentMethod == PaymentCollector.BankTransferMethod ? BillingErrors.DeferredMethodNotAllowed : BillingErrors.UnknownPaymentMethod;
        }

        return await PayCheckedAsync(organizationId, invoiceId, paymentMethod!, requestId!, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Pays an unpaid invoice of the organization from its wallet (WAL-2, WAL-7), the invoice
    /// named by <paramref name="reference"/> (<c>organizations/{org}/invoices/{id}</c>) and
    /// <paramref name="amount"/> its total: the wallet pays nothing else. The debit, the invoice's
    /// payment and its products' activation commit together, as <see cref="PayAsync"/> does, and
    /// share its request ids.
    /// </summary>
    public async Task<Result<WalletMovement>> PayFromWalletAsync(AuthenticatedUser user, Guid organizationId, Money amount, string? reference, string? requestId, CancellationToken ct = default)
    {
        var member = await BillingMemberAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!member.IsSuccess)
        {
            return member.Error;
        }

        if (!RequestIds.IsValid(requestId))
        {
            return WalletErrors.RequestIdInvalid;
        }

        if (amount.Minor <= 0)
        {
            return WalletErrors.AmountNotPositive;
        }

        // Another organization's invoice answers as a made-up one: neither says whether it exists.
        var invoiceId = InvoiceOf(organizationId, reference);
        var invoice = invoiceId is { } id ? await store.FindInvoiceAsync(id, ct).ConfigureAwait(false) : null;
        if (invoice is null || invoice.OrganizationId != organizationId)
        {
            return BillingErrors.InvalidWalletReference;
        }

        if (amount.Minor != invoice.TotalMinor || amount.Currency != invoice.Currency)
        {
            return BillingErrors.AmountMismatch(invoice.TotalMinor, invoice.Currency);
        }

        var paid = await PayCheckedAsync(organizationId, invoice.Id, PaymentCollector.WalletMethod, requestId!, ct).ConfigureAwait(false);
        if (!paid.IsSuccess)
        {
            return paid.Error;
        }

        var transactionId = PaymentCollector.LedgerTransactionOf(paid.Value.PaymentReference)
            ?? throw new InvalidOperationException("An invoice paid from the wallet names no ledger transaction.");
        return await wallets.MovementAsync(transactionId, ct).ConfigureAwait(false);
    }

    private static Guid? InvoiceOf(Guid organizationId, string? reference)
    {
        var parts = (reference ?? string.Empty).Split('/');
        return parts.Length == 4 && parts[0] == "organizations" && parts[2] == "invoices"
            && Guid.TryParse(parts[1], out var organization) && organization == organizationId
            && Guid.TryParse(parts[3], out var invoice)
            ? invoice
            : null;
    }

    private async Task<Result<Invoice>> PayCheckedAsync(Guid organizationId, Guid invoiceId, string paymentMethod, string requestId, CancellationToken ct)
    {
        var key = IdempotencyRecord.KeyOf(organizationId, "pay-invoice:" + requestId);
        var fingerprint = IdempotencyRecord.FingerprintOf("pay-invoice", invoiceId.ToString(), paymentMethod);
        return await _once.RunAsync(
            key,
            fingerprint,
            _ => SettleAsync(organizationId, invoiceId, paymentMethod, requestId, key, fingerprint, ct),
            invoice => invoice.Id,
            async id => Result<Invoice>.Ok((await store.FindInvoiceAsync(id, ct).ConfigureAwait(false))!),
            refusal => SettledMeanwhileAsync(invoiceId, refusal, ct),
            ct).ConfigureAwait(false);
    }

    /// <summary>A billing member cancels an unpaid invoice of the organization (ORD-4).</summary>
    public async Task<Result<CancelledInvoice>> CancelAsync(AuthenticatedUser user, Guid organizationId, Guid invoiceId, string? reason, CancellationToken ct = default)
    {
        var member = await BillingMemberAsync(user, organizationId, ct).ConfigureAwait(false);
        return member.IsSuccess ? await CancelAsync(organizationId, invoiceId, reason, ct).ConfigureAwait(false) : member.Error;
    }

    /// <summary>
    /// Cancels an unpaid invoice (ORD-4; support calls this directly): a credit note for its full
    /// amount, its pending products removed, its vouchers and promotion redemption given back.
    /// </summary>
    public async Task<Result<CancelledInvoice>> CancelAsync(Guid organizationId, Guid invoiceId, string? reason, CancellationToken ct = default)
    {
        var text = string.IsNullOrWhiteSpace(reason) ? DefaultReason : reason.Trim();
        if (text.Length > 500 || text.Any(char.IsControl))
        {
            return DomainError.Invalid("reason", "INVALID_REASON", "A reason has at most 500 characters, without control characters.");
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var invoice = await store.InvoiceForUpdateAsync(invoiceId, ct).ConfigureAwait(false);
                if (invoice is null || invoice.OrganizationId != organizationId)
                {
                    return BillingErrors.InvoiceNotFound;
                }

                var now = clock.GetUtcNow();
                var cancelled = invoice.Cancel(now);
                if (!cancelled.IsSuccess)
                {
                    return cancelled.Error;
                }

                var note = CreditNote.Issue(random.NewId(), invoice, 0, invoice.TotalMinor, text, now, null);
                store.Add(note);
                _pricing.NumberOnCommit(InvoiceSequence.CreditNotesId, note);
                foreach (var product in (await organizations.ListInvoiceProductsAsync(organizationId, invoiceId, ct).ConfigureAwait(false)).Where(p => p.AwaitsInvoice))
                {
                    store.Remove(product);
                }

                foreach (var voucher in await store.VouchersUsedOnAsync(invoiceId, ct).ConfigureAwait(false))
                {
                    voucher.Release();
                }

                foreach (var (redemption, code) in await store.RedemptionsOfAsync(invoiceId, ct).ConfigureAwait(false))
                {
                    code.Unredeem();
                    store.Remove(redemption);
                }

                await store.SaveChangesAsync(ct).ConfigureAwait(false);
                return new CancelledInvoice(invoice, note);
            }
            catch (Exception e) when (e is ConcurrencyConflictException or DuplicateKeyException && attempt < options.MaxAttempts)
            {
                store.Reset();
            }
        }
    }

    /// <summary>
    /// A payment refused after its invoice was read unpaid (the balance too low, a declined card) is
    /// answered by the invoice's state instead when another request paid or cancelled it meanwhile:
    /// as in a serial order, where this request came second and found the invoice settled.
    /// </summary>
    private async Task<DomainError> SettledMeanwhileAsync(Guid invoiceId, DomainError refusal, CancellationToken ct)
    {
        if (refusal.Reason == BillingErrors.InvoiceAlreadyPaid.Reason || refusal.Reason == BillingErrors.InvoiceCancelled.Reason || refusal.Reason == BillingErrors.InvoiceNotFound.Reason)
        {
            return refusal;
        }

        var current = await store.FindInvoiceAsync(invoiceId, ct).ConfigureAwait(false);
        return current?.RequireUnpaid() is { IsSuccess: false } settled ? settled.Error : refusal;
    }

    private async Task<Result<Invoice>> SettleAsync(Guid organizationId, Guid invoiceId, string method, string requestId, string key, string fingerprint, CancellationToken ct)
    {
        var invoice = await store.InvoiceForUpdateAsync(invoiceId, ct).ConfigureAwait(false);
        if (invoice is null || invoice.OrganizationId != organizationId)
        {
            return BillingErrors.InvoiceNotFound;
        }

        var open = invoice.RequireUnpaid();
        if (!open.IsSuccess)
        {
            return open.Error;
        }

        var total = Money.FromTrusted(invoice.TotalMinor, invoice.Currency);
        var charged = await _payments.ChargeAsync(organizationId, "invoice", method, total, key, fingerprint, ct).ConfigureAwait(false);
        if (!charged.IsSuccess)
        {
            return charged.Error;
        }

        var payment = await _payments.CollectAsync(organizationId, method, total, "invoice:" + requestId, key, ct).ConfigureAwait(false);
        if (!payment.IsSuccess)
        {
            return payment.Error;
        }

        var now = clock.GetUtcNow();
        invoice.MarkPaid(now, method, payment.Value);
        foreach (var product in (await organizations.ListInvoiceProductsAsync(organizationId, invoiceId, ct).ConfigureAwait(false)).Where(p => p.AwaitsInvoice))
        {
            product.ActivateFor(now);
        }

        return invoice;
    }

    private Task<Result<Organization>> BillingMemberAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct) =>
        organizations.MemberWithRightAsync(user, organizationId, m => m.CanBill, WalletErrors.BillingRightsRequired, ct);
}
