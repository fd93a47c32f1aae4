using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Core.Billing;

/// <summary>Final invoices and credit notes (BIL-5).</summary>
public sealed partial class BillingService
{
    /// <summary>The organization's final invoices, newest first, all or those in one state (BIL-5).</summary>
    public Task<Result<Page<Invoice>>> ListInvoicesAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default, InvoiceState? state = null) =>
        BillingPageAsync(user, organizationId, pageSize, pageToken, (after, fetch) => store.InvoicesAsync(organizationId, after, fetch, ct, state), i => new PageToken(i.IssuedAt, i.Id), ct);

    /// <summary>One page of a list the store pages by keyset, for a caller with billing rights.</summary>
    private async Task<Result<Page<T>>> BillingPageAsync<T>(
        AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, Func<PageToken?, int, Task<IReadOnlyList<T>>> fetch, Func<T, PageToken> key, CancellationToken ct)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var rows = await fetch(page.Value.After, page.Value.Fetch).ConfigureAwait(false);
        return page.Value.Cut(rows, key);
    }

    /// <summary>One final invoice of the organization.</summary>
    public async Task<Result<Invoice>> GetInvoiceAsync(AuthenticatedUser user, Guid organizationId, Guid invoiceId, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var invoice = await store.FindInvoiceAsync(invoiceId, ct).ConfigureAwait(false);
        return invoice is null || invoice.OrganizationId != organizationId ? BillingErrors.InvoiceNotFound : invoice;
    }

    /// <summary>The PDF of a final invoice, once paid (BIL-5: an unpaid or cancelled one is refused).</summary>
    public async Task<Result<byte[]>> InvoicePdfAsync(AuthenticatedUser user, Guid organizationId, Guid invoiceId, CancellationToken ct = default)
    {
        var invoice = await GetInvoiceAsync(user, organizationId, invoiceId, ct).ConfigureAwait(false);
        if (!invoice.IsSuccess)
        {
            return invoice.Error;
        }

        return invoice.Value.State switch
        {
            InvoiceState.Paid => InvoicePdf.Render(invoice.Value.Document(options.Seller)),
            InvoiceState.Unpaid => BillingErrors.InvoiceNotPaid,
            _ => BillingErrors.InvoiceCancelled,
        };
    }

    /// <summary>
    /// Support corrects a final invoice with a credit note (BIL-5): the invoice never changes; the
    /// credited amounts never exceed its total; the amount may go back to the wallet.
    /// </summary>
    public async Task<Result<CreditNote>> IssueCreditNoteAsync(Guid organizationId, Guid invoiceId, long amountMinor, string? reason, bool refundToWallet, CancellationToken ct = default)
    {
        var text = (reason ?? string.Empty).Trim();
        if (text.Length is 0 or > 500)
        {
            return DomainError.Invalid("reason", "REASON_REQUIRED", "A credit note says why, in 1 to 500 characters.");
        }

        if (amountMinor <= 0)
        {
            return DomainError.Invalid("amount_minor", "INVALID_AMOUNT", "The amount must be positive.");
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

                // An unpaid invoice is corrected by cancelling it (ORD-4): nothing was received to credit.
                if (invoice.State != InvoiceState.Paid)
                {
                    return invoice.State == InvoiceState.Unpaid ? BillingErrors.InvoiceNotPaid : BillingErrors.InvoiceCancelled;
                }

                var credited = (await store.CreditNotesOfInvoiceAsync(invoiceId, ct).ConfigureAwait(false)).Sum(c => c.AmountMinor);
                if (credited + amountMinor > invoice.TotalMinor)
                {
                    return DomainError.Invalid("amount_minor", "CREDIT_EXCEEDS_INVOICE", "Credit notes cannot credit more than the invoice's total.") with { Kind = ErrorKind.FailedPrecondition };
                }

                var number = await _pricing.NextNumberAsync(InvoiceSequence.CreditNotesId, ct).ConfigureAwait(false);
                Guid? refund = null;
                if (refundToWallet)
                {
                    refund = (await wallets.RefundInUnitOfWorkAsync(organizationId, Money.FromTrusted(amountMinor, invoice.Currency), $"credit-note:{number}", ct).ConfigureAwait(false)).Id;
                }

                var note = CreditNote.Issue(random.NewId(), invoice, number, amountMinor, text, clock.GetUtcNow(), refund);
                store.Add(note);

                // A concurrent credit note read the same credited sum: the invoice's token lets one commit.
                invoice.RecordCreditNote();
                await store.SaveChangesAsync(ct).ConfigureAwait(false);
                return note;
            }
            catch (Exception e) when (e is ConcurrencyConflictException or DuplicateKeyException && attempt < options.MaxAttempts)
            {
                store.Reset();
            }
        }
    }

    /// <summary>One page of the organization's credit notes, newest first (BIL-5, API-4).</summary>
    public Task<Result<Page<CreditNote>>> ListCreditNotesAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default) =>
        BillingPageAsync(user, organizationId, pageSize, pageToken, (after, fetch) => store.CreditNotesAsync(organizationId, after, fetch, ct), c => new PageToken(c.IssuedAt, c.Id), ct);
}
