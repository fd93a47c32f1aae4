using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Core.Billing;

/// <summary>A catalogue price kept in the store and set by support (one per product type).</summary>
public sealed class CataloguePrice
{
    private CataloguePrice(ProductType type, long priceMinor, string currency, int periodMonths, int vatRateBasisPoints)
    {
        Type = type;
        PriceMinor = priceMinor;
        Currency = currency;
        PeriodMonths = periodMonths;
        VatRateBasisPoints = vatRateBasisPoints;
    }

    /// <summary>The product type.</summary>
    public ProductType Type { get; private set; }

    /// <summary>Price of one period in minor units.</summary>
    public long PriceMinor { get; private set; }

    /// <summary>ISO 4217.</summary>
    public string Currency { get; private set; }

    /// <summary>Months per renewal.</summary>
    public int PeriodMonths { get; private set; }

    /// <summary>VAT rate in basis points.</summary>
    public int VatRateBasisPoints { get; private set; }

    /// <summary>As a catalogue entry.</summary>
    public CatalogueEntry Entry => new(Type, PriceMinor, Currency, PeriodMonths, VatRateBasisPoints);

    /// <summary>A price from an entry.</summary>
    public static CataloguePrice From(CatalogueEntry entry) => new(entry.Type, entry.PriceMinor, entry.Currency, entry.PeriodMonths, entry.VatRateBasisPoints);

    /// <summary>Replaces the price.</summary>
    public void Set(CatalogueEntry entry)
    {
        PriceMinor = entry.PriceMinor;
        Currency = entry.Currency;
        PeriodMonths = entry.PeriodMonths;
        VatRateBasisPoints = entry.VatRateBasisPoints;
    }
}

/// <summary>An additional billing address of an organization (BIL-1); the main one derives from its contact details.</summary>
public sealed class BillingAddress
{
    private BillingAddress(Guid id, Guid organizationId, DateTimeOffset createdAt)
    {
        Id = id;
        OrganizationId = organizationId;
        CreatedAt = createdAt;
    }

    /// <summary>The address's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The organization.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>Who the invoice is addressed to.</summary>
    public string Recipient { get; private set; } = string.Empty;

    /// <summary>Street and number.</summary>
    public string Street { get; private set; } = string.Empty;

    /// <summary>Postal code.</summary>
    public string PostalCode { get; private set; } = string.Empty;

    /// <summary>City.</summary>
    public string City { get; private set; } = string.Empty;

    /// <summary>ISO 3166-1 alpha-2.</summary>
    public string Country { get; private set; } = string.Empty;

    /// <summary>When it was added.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Optimistic concurrency token and etag.</summary>
    public int Version { get; private set; }

    /// <summary>The version as an etag, <c>W/"n"</c>, like the account's and the organization's (API-4).</summary>
    public string ETag => $"W/\"{Version}\"";

    /// <summary>The lines printed on an invoice.</summary>
    public IReadOnlyList<string> Lines => [Recipient, Street, $"{PostalCode} {City}", Country];

    /// <summary>The request field that carries an address, in both CreateBillingAddress and UpdateBillingAddress.</summary>
    public const string FieldPrefix = "billing_address";

    /// <summary>A validated address; errors name fields under <see cref="FieldPrefix"/>.</summary>
    public static Result<BillingAddress> Create(Guid id, Guid organizationId, string? recipient, string? street, string? postalCode, string? city, string? country, DateTimeOffset now)
    {
        var address = new BillingAddress(id, organizationId, now);
        var set = address.Set(recipient, street, postalCode, city, country);
        return set.IsSuccess ? address : set.Error;
    }

    /// <summary>Replaces the fields after validating them; errors name the request's fields under <c>billing_address.</c>.</summary>
    public Result<Done> Set(string? recipient, string? street, string? postalCode, string? city, string? country)
    {
        var values = new[] { ("recipient", recipient), ("street", street), ("postal_code", postalCode), ("city", city) }
            .Select(v => (v.Item1, Value: (v.Item2 ?? string.Empty).Trim())).ToArray();
        var violations = values.Select(v => ContactDetails.TextViolation(v.Value, $"{FieldPrefix}.{v.Item1}", v.Item1)).OfType<FieldViolation>().ToList();
        var code = (country ?? string.Empty).Trim().ToUpperInvariant();
        if (!Iso3166.IsCode(code))
        {
            violations.Add(ContactDetails.CountryViolation($"{FieldPrefix}.country"));
        }

        if (violations.Count > 0)
        {
            return new DomainError(ErrorKind.InvalidArgument, violations[0].Reason, "The billing address is not valid.") { Fields = violations };
        }

        (Recipient, Street, PostalCode, City, Country) = (values[0].Value, values[1].Value, values[2].Value, values[3].Value, code);
        Version++;
        return Done.Value;
    }
}

/// <summary>A free voucher granted by support to an organization for a product type (BIL-9); used once.</summary>
public sealed class FreeVoucher
{
    private FreeVoucher(Guid id, Guid organizationId, ProductType productType, DateTimeOffset grantedAt)
    {
        Id = id;
        OrganizationId = organizationId;
        ProductType = productType;
        GrantedAt = grantedAt;
    }

    /// <summary>The voucher's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The only organization that may use it.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>The product type it makes free.</summary>
    public ProductType ProductType { get; private set; }

    /// <summary>When it was granted.</summary>
    public DateTimeOffset GrantedAt { get; private set; }

    /// <summary>The invoice it was used on, once used.</summary>
    public Guid? UsedOnInvoiceId { get; private set; }

    /// <summary>Optimistic concurrency token: used once even by concurrent checkouts.</summary>
    public int Version { get; private set; }

    /// <summary>Grants a voucher.</summary>
    public static FreeVoucher Grant(Guid id, Guid organizationId, ProductType type, DateTimeOffset now) => new(id, organizationId, type, now);

    /// <summary>Uses it on an invoice.</summary>
    public void Use(Guid invoiceId)
    {
        UsedOnInvoiceId = invoiceId;
        Version++;
    }

    /// <summary>Gives it back when the invoice it was used on is cancelled before payment (ORD-4).</summary>
    public void Release()
    {
        UsedOnInvoiceId = null;
        Version++;
    }
}

/// <summary>A promotion code (BIL-8), created by support.</summary>
public sealed class PromotionCode
{
    private readonly List<ProductType> _productTypes = [];

    private PromotionCode(Guid id, string code)
    {
        Id = id;
        Code = code;
    }

    /// <summary>The code's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>What customers type, upper case.</summary>
    public string Code { get; private set; }

    /// <summary>Percent off each applicable line, in basis points (0 when it is an amount off).</summary>
    public int PercentOffBasisPoints { get; private set; }

    /// <summary>Amount off each applicable line, in minor units of <see cref="Currency"/>.</summary>
    public long AmountOffMinor { get; private set; }

    /// <summary>The currency of <see cref="AmountOffMinor"/> and <see cref="MinimumOrderMinor"/>.</summary>
    public string Currency { get; private set; } = "CHF";

    /// <summary>Start of validity.</summary>
    public DateTimeOffset ValidFrom { get; private set; }

    /// <summary>End of validity (exclusive).</summary>
    public DateTimeOffset ValidUntil { get; private set; }

    /// <summary>How many times it may be redeemed in all.</summary>
    public int MaxRedemptions { get; private set; }

    /// <summary>How many times it was redeemed.</summary>
    public int Redemptions { get; private set; }

    /// <summary>The product types it applies to; empty means all.</summary>
    public IReadOnlyList<ProductType> ProductTypes => _productTypes;

    /// <summary>Smallest order (net, before discounts) it applies to.</summary>
    public long MinimumOrderMinor { get; private set; }

    /// <summary>Whether one organization may use it only once.</summary>
    public bool OncePerOrganization { get; private set; }

    /// <summary>Optimistic concurrency token: redemptions are counted atomically.</summary>
    public int Version { get; private set; }

    /// <summary>A new code.</summary>
    public static PromotionCode Create(Guid id, string code, int percentOffBasisPoints, long amountOffMinor, string currency, DateTimeOffset validFrom, DateTimeOffset validUntil,
        int maxRedemptions, IEnumerable<ProductType> productTypes, long minimumOrderMinor, bool oncePerOrganization)
    {
        var promotion = new PromotionCode(id, code.Trim().ToUpperInvariant())
        {
            PercentOffBasisPoints = percentOffBasisPoints,
            AmountOffMinor = amountOffMinor,
            Currency = currency,
            ValidFrom = validFrom,
            ValidUntil = validUntil,
            MaxRedemptions = maxRedemptions,
            MinimumOrderMinor = minimumOrderMinor,
            OncePerOrganization = oncePerOrganization,
        };
        promotion._productTypes.AddRange(productTypes.Distinct());
        return promotion;
    }

    /// <summary>Whether it applies to a product type.</summary>
    public bool AppliesTo(ProductType type) => _productTypes.Count == 0 || _productTypes.Contains(type);

    /// <summary>Counts a redemption.</summary>
    public void Redeem()
    {
        Redemptions++;
        Version++;
    }

    /// <summary>Gives a redemption back when its invoice is cancelled before payment (ORD-4).</summary>
    public void Unredeem()
    {
        Redemptions = Math.Max(0, Redemptions - 1);
        Version++;
    }
}

/// <summary>One use of a promotion code by an organization.</summary>
public sealed class PromotionRedemption
{
    private PromotionRedemption(Guid id, Guid promotionCodeId, Guid organizationId, Guid invoiceId, DateTimeOffset at)
    {
        Id = id;
        PromotionCodeId = promotionCodeId;
        OrganizationId = organizationId;
        InvoiceId = invoiceId;
        At = at;
    }

    /// <summary>The redemption's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The code.</summary>
    public Guid PromotionCodeId { get; private set; }

    /// <summary>The organization.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>The invoice it reduced.</summary>
    public Guid InvoiceId { get; private set; }

    /// <summary>When.</summary>
    public DateTimeOffset At { get; private set; }

    /// <summary>Records a redemption.</summary>
    public static PromotionRedemption Record(Guid id, Guid codeId, Guid organizationId, Guid invoiceId, DateTimeOffset now) => new(id, codeId, organizationId, invoiceId, now);
}
