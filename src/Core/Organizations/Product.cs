using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>The kinds of products the provider sells.</summary>
public enum ProductType
{
    /// <summary>A domain name.</summary>
    DomainName = 1,
    /// <summary>Web hosting.</summary>
    WebHosting = 2,
    /// <summary>A mail service holding mailboxes.</summary>
    MailService = 3,
    /// <summary>kSuite.</summary>
    KSuite = 4,
    /// <summary>Swiss Backup.</summary>
    SwissBackup = 5,
    /// <summary>A cloud server.</summary>
    CloudServer = 6,
}

/// <summary>Where a product is in its life.</summary>
public enum ProductStatus
{
    /// <summary>Ordered, not paid yet (ORG-1), or waiting for its unpaid invoice (ORD-3): serves nothing.</summary>
    AwaitingPayment = 1,
    /// <summary>In service.</summary>
    Active = 2,
    /// <summary>Ended; never renewed again.</summary>
    Terminated = 3,
}

/// <summary>Something an organization bought and renews.</summary>
public sealed class Product
{
    /// <summary>Longest product name.</summary>
    public const int MaxNameLength = 200;

    private Product(Guid id, Guid organizationId, ProductType type, string name, long priceMinor, string currency, int periodMonths, DateTimeOffset createdAt)
    {
        PeriodMonths = periodMonths;
        Id = id;
        OrganizationId = organizationId;
        Type = type;
        Name = name;
        PriceMinor = priceMinor;
        Currency = currency;
        CreatedAt = createdAt;
    }

    /// <summary>The product's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The organization holding it.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>What it is.</summary>
    public ProductType Type { get; private set; }

    /// <summary>Its name (a domain, a hosting label...).</summary>
    public string Name { get; private set; }

    /// <summary>Where it is in its life.</summary>
    public ProductStatus Status { get; private set; } = ProductStatus.AwaitingPayment;

    /// <summary>When it is next due for renewal, once active.</summary>
    public DateTimeOffset? RenewalDate { get; private set; }

    /// <summary>The renewal price in minor units.</summary>
    public long PriceMinor { get; private set; }

    /// <summary>The price's currency.</summary>
    public string Currency { get; private set; }

    /// <summary>The renewal price.</summary>
    public Money Price => Money.FromTrusted(PriceMinor, Currency);

    /// <summary>When it was ordered.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Months per billing period, as ordered from the catalogue (ORD-2); each renewal adds one period.</summary>
    public int PeriodMonths { get; private set; }

    /// <summary>The invoice it was ordered on (ORD-3); while awaiting payment, the unpaid invoice it waits for.</summary>
    public Guid? InvoiceId { get; private set; }

    /// <summary>Whether it waits for its unpaid invoice rather than for a checkout of its own.</summary>
    public bool AwaitsInvoice => Status == ProductStatus.AwaitingPayment && InvoiceId is not null;

    /// <summary>When it was terminated.</summary>
    public DateTimeOffset? TerminatedAt { get; private set; }

    /// <summary>Optimistic concurrency token.</summary>
    public int Version { get; private set; }

    /// <summary>A product ordered and awaiting payment.</summary>
    public static Result<Product> Order(Guid id, Guid organizationId, ProductType type, string? name, Money price, DateTimeOffset now, int periodMonths = 12)
    {
        var trimmed = NameOf(name);
        return trimmed.IsSuccess ? new Product(id, organizationId, type, trimmed.Value, price.Minor, price.Currency, periodMonths, now) : trimmed.Error;
    }

    /// <summary>A valid product name, trimmed: 1 to <see cref="MaxNameLength"/> characters, no control characters.</summary>
    public static Result<string> NameOf(string? name)
    {
        var trimmed = (name ?? string.Empty).Trim();
        if (trimmed.Length == 0 || trimmed.Length > MaxNameLength || trimmed.Any(char.IsControl))
        {
            return DomainError.Invalid("product.name", "INVALID_PRODUCT_NAME", $"A product name has 1 to {MaxNameLength} characters.");
        }

        return trimmed;
    }

    /// <summary>Ties the product to the unpaid invoice that pays it (ORD-3).</summary>
    public void AwaitInvoice(Guid invoiceId)
    {
        InvoiceId = invoiceId;
        Version++;
    }

    /// <summary>Puts the product in service for its first period, from <paramref name="now"/>.</summary>
    public void ActivateFor(DateTimeOffset now) => Activate(now.AddMonths(PeriodMonths));

    /// <summary>Puts the product in service until <paramref name="renewalDate"/> (paid).</summary>
    public void Activate(DateTimeOffset renewalDate)
    {
        Status = ProductStatus.Active;
        RenewalDate = renewalDate;
        Version++;
    }

    /// <summary>Whether the product renews itself when due (BIL-7).</summary>
    public bool AutoRenew { get; private set; }

    /// <summary>How an automatic renewal pays: <c>wallet</c> or an external payment method.</summary>
    public string? RenewalPaymentMethod { get; private set; }

    /// <summary>Switches automatic renewal (BIL-7).</summary>
    public void SetAutoRenewal(bool enabled, string? paymentMethod)
    {
        AutoRenew = enabled;
        RenewalPaymentMethod = enabled ? paymentMethod : null;
        Version++;
    }

    /// <summary>Renews for <paramref name="months"/> from the later of now and the current renewal date.</summary>
    public void Renew(DateTimeOffset now, int months)
    {
        var from = RenewalDate is { } due && due > now ? due : now;
        Status = ProductStatus.Active;
        RenewalDate = from.AddMonths(months);
        Version++;
    }

    /// <summary>Ends the product.</summary>
    public Result<Done> Terminate(DateTimeOffset now)
    {
        if (Status == ProductStatus.Terminated)
        {
            return OrganizationErrors.ProductTerminated;
        }

        Status = ProductStatus.Terminated;
        TerminatedAt = now;
        Version++;
        return Done.Value;
    }
}

/// <summary>
/// What the provider sells a product type for: the price of one renewal period, in minor units,
/// and the VAT rate in basis points (770 = 7.70 %).
/// </summary>
public sealed record CatalogueEntry(ProductType Type, long PriceMinor, string Currency, int PeriodMonths, int VatRateBasisPoints);

/// <summary>The prices of products (the client never sets a price): one entry per type and billing period.</summary>
public interface IProductCatalogue
{
    /// <summary>Every billing period offered for a type, shortest first; empty when the type is not sold.</summary>
    Task<IReadOnlyList<CatalogueEntry>> OffersAsync(ProductType type, CancellationToken cancellationToken);
}

/// <summary>A catalogue read once per product type for the length of one operation (a quote reads a type's offers up to twice per line).</summary>
public sealed class MemoizedProductCatalogue(IProductCatalogue inner) : IProductCatalogue
{
    private readonly Dictionary<ProductType, IReadOnlyList<CatalogueEntry>> _offers = [];

    /// <inheritdoc />
    public async Task<IReadOnlyList<CatalogueEntry>> OffersAsync(ProductType type, CancellationToken cancellationToken)
    {
        if (!_offers.TryGetValue(type, out var offers))
        {
            _offers[type] = offers = await inner.OffersAsync(type, cancellationToken).ConfigureAwait(false);
        }

        return offers;
    }
}

/// <summary>How the catalogue is read, stated once for every caller.</summary>
public static class ProductCatalogueExtensions
{
    /// <summary>The period a product gets when none is chosen (ORG-1) and its renewals' fallback.</summary>
    public const int DefaultPeriodMonths = 12;

    /// <summary>The entry of the default period (12 months when offered, else the shortest), if the type is sold.</summary>
    public static async Task<CatalogueEntry?> FindAsync(this IProductCatalogue catalogue, ProductType type, CancellationToken cancellationToken)
    {
        var offers = await catalogue.OffersAsync(type, cancellationToken).ConfigureAwait(false);
        return offers.FirstOrDefault(o => o.PeriodMonths == DefaultPeriodMonths) ?? offers.FirstOrDefault();
    }

    /// <summary>The entry of one billing period, if offered.</summary>
    public static async Task<CatalogueEntry?> FindAsync(this IProductCatalogue catalogue, ProductType type, int periodMonths, CancellationToken cancellationToken) =>
        (await catalogue.OffersAsync(type, cancellationToken).ConfigureAwait(false)).FirstOrDefault(o => o.PeriodMonths == periodMonths);

    /// <summary>What a product renews for: its own period's price, else the default period's.</summary>
    public static async Task<CatalogueEntry?> RenewalPriceAsync(this IProductCatalogue catalogue, Product product, CancellationToken cancellationToken) =>
        await catalogue.FindAsync(product.Type, product.PeriodMonths, cancellationToken).ConfigureAwait(false)
        ?? await catalogue.FindAsync(product.Type, cancellationToken).ConfigureAwait(false);
}

/// <summary>A fixed catalogue, for embedders without a store-kept one and as the store's first content.</summary>
public sealed class FixedProductCatalogue(IEnumerable<CatalogueEntry> entries) : IProductCatalogue
{
    private readonly ILookup<ProductType, CatalogueEntry> _entries = entries.OrderBy(e => e.PeriodMonths).ToLookup(e => e.Type);

    /// <summary>
    /// CHF prices with Swiss VAT (8.10 %), the provider's defaults: a year at the listed price, a
    /// month at a tenth of it, two years at 1.9 years; domain names by the year only.
    /// </summary>
    public static FixedProductCatalogue Default { get; } = new(Yearly(
        (ProductType.DomainName, 1_500, false),
        (ProductType.WebHosting, 9_600, true),
        (ProductType.MailService, 1_800, true),
        (ProductType.KSuite, 6_000, true),
        (ProductType.SwissBackup, 3_000, true),
        (ProductType.CloudServer, 30_000, true)));

    /// <summary>Every entry.</summary>
    public IReadOnlyCollection<CatalogueEntry> Entries => _entries.SelectMany(g => g).ToList();

    /// <inheritdoc />
    public Task<IReadOnlyList<CatalogueEntry>> OffersAsync(ProductType type, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CatalogueEntry>>(_entries[type].ToList());

    private static IEnumerable<CatalogueEntry> Yearly(params (ProductType Type, long PerYear, bool Monthly)[] prices)
    {
        foreach (var (type, perYear, monthly) in prices)
        {
            if (monthly)
            {
                yield return new(type, perYear / 10, "CHF", 1, 810);
            }

            yield return new(type, perYear, "CHF", 12, 810);
            yield return new(type, perYear * 19 / 10, "CHF", 24, 810);
        }
    }
}
