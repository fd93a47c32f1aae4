using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Core.Billing;

/// <summary>One thing to price: an existing product being paid, or a cart line being ordered.</summary>
/// <param name="Id">The product's id (a new one for a cart line).</param>
/// <param name="Type">Its product type.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Price">The catalogue entry of its billing period.</param>
/// <param name="UseVoucher">Whether the caller activates a free voucher on it (BIL-9).</param>
public sealed record PricedItem(Guid Id, ProductType Type, string Name, CatalogueEntry Price, bool UseVoucher);

/// <summary>
/// Prices items the same way for checkouts, pro formas, cart summaries and orders: vouchers first,
/// then the promotion code, VAT per line (BIL-8, BIL-9, BIL-10).
/// </summary>
public sealed class Pricing(IBillingStore store, TimeProvider clock)
{
    /// <summary>Lines with discounts and VAT; the vouchers used and offered are named by item id.</summary>
    public async Task<Result<Quote>> QuoteAsync(Guid organizationId, IReadOnlyList<PricedItem> items, PromotionCode? promotion, CancellationToken ct)
    {
        var pool = (await store.UnusedVouchersAsync(organizationId, ct).ConfigureAwait(false)).ToList();
        var lines = new List<InvoiceLine>();
        var used = new List<Guid>();
        var offered = new List<Guid>();
        foreach (var item in items)
        {
            var net = item.Price.PriceMinor;
            long discount = 0;
            string? source = null;
            var voucher = pool.FirstOrDefault(v => v.ProductType == item.Type);
            if (voucher is not null)
            {
                offered.Add(item.Id);
            }

            if (item.UseVoucher)
            {
                if (voucher is null)
                {
                    return BillingErrors.VoucherNotAvailable;
                }

                pool.Remove(voucher);
                used.Add(voucher.Id);
                discount = net;
                source = "voucher";
            }
            else if (promotion is { } code && code.AppliesTo(item.Type))
            {
                discount = code.PercentOffBasisPoints > 0 ? Rounding.OfBasisPoints(net, code.PercentOffBasisPoints) : Math.Min(code.AmountOffMinor, net);
                source = $"promotion:{code.Code}";
            }

            var vat = Rounding.OfBasisPoints(net - discount, item.Price.VatRateBasisPoints);
            lines.Add(new InvoiceLine(item.Id, $"{item.Type} {item.Name}, {item.Price.PeriodMonths} months", net, discount, item.Price.VatRateBasisPoints, vat, checked(net - discount + vat), source));
        }

        return new Quote(items[0].Price.Currency, lines, used, offered, promotion);
    }

    /// <summary>The promotion code that applies to the items, or why it does not (BIL-8); none when no code is given.</summary>
    public async Task<Result<PromotionCode?>> PromotionAsync(Guid organizationId, string? text, IReadOnlyList<PricedItem> items, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Result<PromotionCode?>.Ok(null);
        }

        var currency = items[0].Price.Currency;
        var code = await store.FindPromotionAsync(text.Trim().ToUpperInvariant(), ct).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        if (code is null)
        {
            return BillingErrors.Promotion("PROMOTION_CODE_UNKNOWN", "This promotion code does not exist.");
        }

        if (now < code.ValidFrom)
        {
            return BillingErrors.Promotion("PROMOTION_CODE_NOT_YET_VALID", "This promotion code is not valid yet.");
        }

        if (now >= code.ValidUntil)
        {
            return BillingErrors.Promotion("PROMOTION_CODE_EXPIRED", "This promotion code has expired.");
        }

        if (code.Redemptions >= code.MaxRedemptions)
        {
            return BillingErrors.Promotion("PROMOTION_CODE_EXHAUSTED", "This promotion code has been used up.");
        }

        if (!items.Any(s => code.AppliesTo(s.Type)) || (code.AmountOffMinor > 0 && code.Currency != currency))
        {
            return BillingErrors.Promotion("PROMOTION_CODE_NOT_APPLICABLE", "This promotion code does not apply to the products in the order.");
        }

        if (items.Sum(s => s.Price.PriceMinor) < code.MinimumOrderMinor || (code.MinimumOrderMinor > 0 && code.Currency != currency))
        {
            return BillingErrors.Promotion("PROMOTION_CODE_MINIMUM_NOT_MET", "The order is below this promotion code's minimum amount.");
        }

        if (code.OncePerOrganization && await store.RedeemedAsync(code.Id, organizationId, ct).ConfigureAwait(false))
        {
            return BillingErrors.Promotion("PROMOTION_CODE_ALREADY_USED", "This organization has used this promotion code already.");
        }

        return Result<PromotionCode?>.Ok(code);
    }

    /// <summary>Records what a quote consumed against the issued invoice: its vouchers and its promotion redemption.</summary>
    public async Task RedeemAsync(Guid organizationId, Quote quote, Guid invoiceId, Guid redemptionId, CancellationToken ct)
    {
        if (quote.VouchersUsed.Count > 0)
        {
            var vouchers = await store.UnusedVouchersAsync(organizationId, ct).ConfigureAwait(false);
            foreach (var voucher in vouchers.Where(v => quote.VouchersUsed.Contains(v.Id)))
            {
                voucher.Use(invoiceId);
            }
        }

        if (quote.Promotion is { } promotion)
        {
            promotion.Redeem();
            store.Add(PromotionRedemption.Record(redemptionId, promotion.Id, organizationId, invoiceId, clock.GetUtcNow()));
        }
    }

    /// <summary>
    /// The next number of a legal sequence, taken now inside the unit of work's write transaction
    /// (begun here), for a document whose other rows need the number; it rolls back with the unit of work.
    /// </summary>
    public Task<long> NextNumberAsync(int sequenceId, CancellationToken ct) => store.TakeNumberAsync(sequenceId, ct);

    /// <summary>
    /// Numbers <paramref name="document"/> (an <see cref="Invoice"/> or a <see cref="CreditNote"/>, issued with
    /// number 0) as the last statement of the unit of work's commit: the sequence row is locked only until
    /// that commit, and the number rolls back with the payment it belongs to, so it never conflicts nor leaves a gap.
    /// </summary>
    public void NumberOnCommit(int sequenceId, object document) => store.NumberOnCommit(sequenceId, document);
}
