using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Core.Billing;

/// <summary>What billing needs from a store; shares the unit of work of the other stores.</summary>
public interface IBillingStore : Wallets.IRequestRecords
{
    /// <summary>Every catalogue price.</summary>
    Task<IReadOnlyList<CataloguePrice>> PricesAsync(CancellationToken cancellationToken);

    /// <summary>The organization's additional billing addresses, oldest first.</summary>
    Task<IReadOnlyList<BillingAddress>> AddressesAsync(Guid organizationId, CancellationToken cancellationToken);

    /// <summary>The organization's unused vouchers, oldest first.</summary>
    Task<IReadOnlyList<FreeVoucher>> UnusedVouchersAsync(Guid organizationId, CancellationToken cancellationToken);

    /// <summary>One page of the organization's unused vouchers, oldest grant first, after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<FreeVoucher>> UnusedVouchersAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>A promotion code by its text.</summary>
    Task<PromotionCode?> FindPromotionAsync(string code, CancellationToken cancellationToken);

    /// <summary>Whether the organization redeemed the code before.</summary>
    Task<bool> RedeemedAsync(Guid promotionCodeId, Guid organizationId, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the next number of a sequence (<see cref="InvoiceSequence.SingletonId"/> or <see cref="InvoiceSequence.CreditNotesId"/>)
    /// at once, inside the unit of work's write transaction, which this begins and <see cref="Wallets.IRequestRecords.SaveChangesAsync"/> commits.
    /// </summary>
    Task<long> TakeNumberAsync(int sequenceId, CancellationToken cancellationToken);

    /// <summary>
    /// Gives <paramref name="document"/> (a tracked <see cref="Invoice"/> or <see cref="CreditNote"/>) the next number of the
    /// sequence as the last statement of the next <see cref="Wallets.IRequestRecords.SaveChangesAsync"/>, in its transaction.
    /// </summary>
    void NumberOnCommit(int sequenceId, object document);

    /// <summary>The credit notes of an invoice.</summary>
    Task<IReadOnlyList<CreditNote>> CreditNotesOfInvoiceAsync(Guid invoiceId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> credit notes of the organization, newest first, after a keyset position (API-4).</summary>
    Task<IReadOnlyList<CreditNote>> CreditNotesAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>An invoice.</summary>
    Task<Invoice?> FindInvoiceAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>The organization's invoices, newest first, after the keyset position; only those in <paramref name="state"/> when given.</summary>
    Task<IReadOnlyList<Invoice>> InvoicesAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken, InvoiceState? state = null);

    /// <summary>The organization's unpaid invoices, soonest due first (BIL-3, ORD-4).</summary>
    Task<IReadOnlyList<Invoice>> UnpaidInvoicesAsync(Guid organizationId, CancellationToken cancellationToken);

    /// <summary>An invoice, tracked so that its state can change (payment, cancellation).</summary>
    Task<Invoice?> InvoiceForUpdateAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>The vouchers used on an invoice.</summary>
    Task<IReadOnlyList<FreeVoucher>> VouchersUsedOnAsync(Guid invoiceId, CancellationToken cancellationToken);

    /// <summary>The promotion redemptions recorded against an invoice, with their codes.</summary>
    Task<IReadOnlyList<(PromotionRedemption Redemption, PromotionCode Code)>> RedemptionsOfAsync(Guid invoiceId, CancellationToken cancellationToken);

    /// <summary>Every invoice number issued, for audits and tests.</summary>
    Task<IReadOnlyList<long>> AllSequenceNumbersAsync(CancellationToken cancellationToken);

    /// <summary>Active products with automatic renewal due by <paramref name="now"/>.</summary>
    Task<IReadOnlyList<Product>> DueForAutoRenewalAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes an object.</summary>
    void Remove(object entity);

}

/// <summary>The catalogue kept in the store (support sets it); the defaults fill it on first use.</summary>
public sealed class StoredProductCatalogue(IBillingStore store) : IProductCatalogue
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<CatalogueEntry>> OffersAsync(ProductType type, CancellationToken cancellationToken)
    {
        var prices = await store.PricesAsync(cancellationToken).ConfigureAwait(false);
        return prices.Count == 0
            ? await FixedProductCatalogue.Default.OffersAsync(type, cancellationToken).ConfigureAwait(false)
            : prices.Where(p => p.Type == type).Select(p => p.Entry).OrderBy(e => e.PeriodMonths).ToList();
    }
}

/// <summary>Billing settings.</summary>
public sealed record BillingOptions
{
    /// <summary>How far ahead renewals show in "to pay" (BIL-3).</summary>
    public TimeSpan ToPayHorizon { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The seller printed on invoices.</summary>
    public string Seller { get; init; } = "Hosting Provider SA";

    /// <summary>How long an invoice ordered by bank transfer may stay unpaid before it is overdue (ORD-3, ORD-4).</summary>
    public TimeSpan BankTransferTerm { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Attempts of a checkout that loses an optimistic concurrency race.</summary>
    public int MaxAttempts { get; init; } = 50;
}
