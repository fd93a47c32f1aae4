using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Core.Billing;

/// <summary>
/// Support's billing use cases: free vouchers (BIL-9), promotion codes (BIL-8) and catalogue prices.
/// Every amount is bounded where it enters so that no cart, discount or VAT sum can overflow, and
/// every currency is one the provider trades in (BIL-10).
/// </summary>
public sealed class BillingAdministration(
    IBillingStore store,
    IOrganizationStore organizations,
    TimeProvider clock,
    ISecretGenerator random,
    CurrencyOptions currencies)
{
    /// <summary>The highest catalogue price, discount or minimum order, in minor units: carts of 20 lines with VAT stay far from overflow.</summary>
    public const long MaxPriceMinor = 1_000_000_000_000;

    /// <summary>Support grants a free voucher to an organization (BIL-9).</summary>
    public async Task<Result<FreeVoucher>> GrantVoucherAsync(Guid organizationId, ProductType type, CancellationToken ct = default)
    {
        if (await organizations.FindAsync(organizationId, [], ct).ConfigureAwait(false) is null)
        {
            return OrganizationErrors.NotFound;
        }

        if (!Enum.IsDefined(type))
        {
            return OrganizationErrors.UnknownProductType;
        }

        var voucher = FreeVoucher.Grant(random.NewId(), organizationId, type, clock.GetUtcNow());
        store.Add(voucher);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return voucher;
    }

    /// <summary>Support creates a promotion code (BIL-8).</summary>
    public async Task<Result<PromotionCode>> CreatePromotionAsync(PromotionCode promotion, CancellationToken ct = default)
    {
        if (promotion.Code.Length is < 3 or > 32 || !promotion.Code.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return DomainError.Invalid("code", "INVALID_PROMOTION_CODE", "A code has 3 to 32 letters, digits or dashes.");
        }

        if (promotion.PercentOffBasisPoints is < 0 or > 10_000)
        {
            return DomainError.Invalid("percent_off_basis_points", "INVALID_DISCOUNT", $"percent_off_basis_points is {promotion.PercentOffBasisPoints}; a percent off is 1 to 10000 basis points.");
        }

        if (promotion.AmountOffMinor is < 0 or > MaxPriceMinor)
        {
            return DomainError.Invalid("amount_off_minor", "INVALID_DISCOUNT", promotion.AmountOffMinor < 0
                ? $"amount_off_minor is negative ({promotion.AmountOffMinor}); an amount off is positive."
                : $"amount_off_minor is above {MaxPriceMinor}, the highest price.");
        }

        if ((promotion.PercentOffBasisPoints > 0) == (promotion.AmountOffMinor > 0))
        {
            return DomainError.Invalid("percent_off_basis_points", "INVALID_DISCOUNT", "Give either a percent off or an amount off, not both and not neither.");
        }

        if (promotion.MinimumOrderMinor is < 0 or > MaxPriceMinor)
        {
            return DomainError.Invalid("minimum_order_minor", "INVALID_PROMOTION_TERMS", $"minimum_order_minor must be 0 to {MaxPriceMinor}.");
        }

        var currency = currencies.Accept(0, promotion.Currency, "currency");
        if (!currency.IsSuccess)
        {
            return currency.Error;
        }

        if (promotion.ValidUntil <= promotion.ValidFrom || promotion.MaxRedemptions < 1)
        {
            return DomainError.Invalid("valid_until", "INVALID_PROMOTION_TERMS", "The validity window must be non-empty and at least one redemption allowed.");
        }

        if (await store.FindPromotionAsync(promotion.Code, ct).ConfigureAwait(false) is not null)
        {
            return new DomainError(ErrorKind.AlreadyExists, "PROMOTION_CODE_EXISTS", "This code exists already.");
        }

        store.Add(promotion);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return promotion;
    }

    /// <summary>Support sets a catalogue price.</summary>
    public async Task<Result<CataloguePrice>> SetPriceAsync(CatalogueEntry entry, CancellationToken ct = default)
    {
        var invalid =
            !Enum.IsDefined(entry.Type) ? OrganizationErrors.UnknownProductType
            : entry.PriceMinor is < 0 or > MaxPriceMinor ? DomainError.Invalid("price_minor", "INVALID_PRICE", $"price_minor must be 0 to {MaxPriceMinor} minor units.")
            : entry.PeriodMonths is < 1 or > 120 ? DomainError.Invalid("period_months", "INVALID_PRICE", "period_months must be 1 to 120.")
            : entry.VatRateBasisPoints is < 0 or > 10_000 ? DomainError.Invalid("vat_rate_basis_points", "INVALID_PRICE", "vat_rate_basis_points must be 0 to 10000.")
            : null;
        if (invalid is not null)
        {
            return invalid;
        }

        var money = currencies.Accept(entry.PriceMinor, entry.Currency, "currency");
        if (!money.IsSuccess)
        {
            return money.Error;
        }

        var prices = await store.PricesAsync(ct).ConfigureAwait(false);
        if (prices.Count == 0)
        {
            // The first price set by support makes the store the catalogue: start from the defaults.
            foreach (var fallback in FixedProductCatalogue.Default.Entries.Where(e => e.Type != entry.Type || e.PeriodMonths != entry.PeriodMonths))
            {
                store.Add(CataloguePrice.From(fallback));
            }
        }

        var price = prices.FirstOrDefault(p => p.Type == entry.Type && p.PeriodMonths == entry.PeriodMonths);
        var normalized = entry with { Currency = money.Value.Currency };
        if (price is null)
        {
            price = CataloguePrice.From(normalized);
            store.Add(price);
        }
        else
        {
            price.Set(normalized);
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return price;
    }
}
