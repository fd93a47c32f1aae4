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
    /// <summary>Ordered, not paid yet (ORG-1).</summary>
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

    private Product(Guid id, Guid organizationId, ProductType type, string name, long priceMinor, string currency, DateTimeOffset createdAt)
    {
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

    /// <summary>When it was terminated.</summary>
    public DateTimeOffset? TerminatedAt { get; private set; }

    /// <summary>Optimistic concurrency token.</summary>
    public int Version { get; private set; }

    /// <summary>A product ordered and awaiting payment.</summary>
    public static Result<Product> Order(Guid id, Guid organizationId, ProductType type, string? name, Money price, DateTimeOffset now)
    {
        var trimmed = (name ?? string.Empty).Trim();
        if (trimmed.Length == 0 || trimmed.Length > MaxNameLength || trimmed.Any(char.IsControl))
        {
            return DomainError.Invalid("product.name", "INVALID_PRODUCT_NAME", $"A product name has 1 to {MaxNameLength} characters.");
        }

        return new Product(id, organizationId, type, trimmed, price.Minor, price.Currency, now);
    }

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

/// <summary>The prices of products (the client never sets a price).</summary>
public interface IProductCatalogue
{
    /// <summary>The entry for a type, if it is sold.</summary>
    Task<CatalogueEntry?> FindAsync(ProductType type, CancellationToken cancellationToken);
}

/// <summary>A fixed catalogue, for embedders without a store-kept one and as the store's first content.</summary>
public sealed class FixedProductCatalogue(IEnumerable<CatalogueEntry> entries) : IProductCatalogue
{
    private readonly Dictionary<ProductType, CatalogueEntry> _entries = entries.ToDictionary(e => e.Type);

    /// <summary>Yearly prices in CHF with Swiss VAT (8.10 %), the provider's defaults.</summary>
    public static FixedProductCatalogue Default { get; } = new(
    [
        new(ProductType.DomainName, 1_500, "CHF", 12, 810),
        new(ProductType.WebHosting, 9_600, "CHF", 12, 810),
        new(ProductType.MailService, 1_800, "CHF", 12, 810),
        new(ProductType.KSuite, 6_000, "CHF", 12, 810),
        new(ProductType.SwissBackup, 3_000, "CHF", 12, 810),
        new(ProductType.CloudServer, 30_000, "CHF", 12, 810),
    ]);

    /// <summary>Every entry.</summary>
    public IReadOnlyCollection<CatalogueEntry> Entries => _entries.Values;

    /// <inheritdoc />
    public Task<CatalogueEntry?> FindAsync(ProductType type, CancellationToken cancellationToken) => Task.FromResult(_entries.GetValueOrDefault(type));
}
