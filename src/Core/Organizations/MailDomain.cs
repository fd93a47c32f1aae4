using System.Globalization;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>
/// A domain served by one mail service (MBX-6). The store keeps <see cref="Domain"/> unique, so
/// that of two concurrent orders for one domain only one commits.
/// </summary>
public sealed class MailDomain
{
    /// <summary>The longest domain name (RFC 1035), in its ASCII form.</summary>
    public const int MaxLength = 253;

    private MailDomain(string domain, Guid organizationId, Guid productId, DateTimeOffset claimedAt)
    {
        Domain = domain;
        OrganizationId = organizationId;
        ProductId = productId;
        ClaimedAt = claimedAt;
    }

    /// <summary>The domain, IDN-mapped to its ASCII form and lower-cased (<see cref="Normalize"/>).</summary>
    public string Domain { get; private set; }

    /// <summary>The organization serving it.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>The mail service product serving it.</summary>
    public Guid ProductId { get; private set; }

    /// <summary>When the order claimed it.</summary>
    public DateTimeOffset ClaimedAt { get; private set; }

    /// <summary>
    /// The one form of a domain that equality is decided on: IDN-mapped to ASCII (punycode),
    /// lower-cased, without a trailing dot; so "Bücher.CH" and "xn--bcher-kva.ch" are one domain.
    /// </summary>
    public static Result<string> Normalize(string? name, string field)
    {
        var trimmed = (name ?? string.Empty).Trim().TrimEnd('.');
        string ascii;
        try
        {
            ascii = new IdnMapping { UseStd3AsciiRules = true }.GetAscii(trimmed).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return InvalidDomain(field);
        }

        return ascii.Length > MaxLength || !ascii.Contains('.') ? InvalidDomain(field) : ascii;
    }

    internal static MailDomain Claim(string domain, Product product, DateTimeOffset now) => new(domain, product.OrganizationId, product.Id, now);

    private static DomainError InvalidDomain(string field) =>
        DomainError.Invalid(field, "INVALID_MAIL_DOMAIN", "A mail service is named after its domain, such as example.ch.");
}

/// <summary>
/// The one place every order path of a mail service goes through (MBX-6): a mail service's
/// domain belongs to one organization. Call <c>ClaimAsync</c> with the order's products before
/// saving the order, and map a <see cref="DuplicateKeyException"/> of that save with
/// <see cref="IsClaimConflict"/> to <see cref="Taken"/>, or retry from a fresh read (the store's
/// key decides between concurrent orders). <see cref="ReleaseAsync"/> when a mail service ends.
/// </summary>
public sealed class MailDomains(IOrganizationStore store)
{
    /// <summary>MBX-6: the domain is already served by a mail service.</summary>
    public static DomainError Taken(string field) =>
        DomainError.Invalid(field, "MAIL_DOMAIN_TAKEN", "This domain is already served by a mail service.") with { Kind = ErrorKind.AlreadyExists };

    /// <summary>
    /// Claims the domain of a mail service <paramref name="product"/> being ordered, in the
    /// caller's unit of work; other product types need nothing. <paramref name="field"/> is the
    /// request field that names the domain.
    /// </summary>
    public Task<Result<Done>> ClaimAsync(Product product, string field, DateTimeOffset now, CancellationToken ct) =>
        ClaimAsync([product], _ => field, now, ct);

    /// <summary>
    /// Claims the domains of the mail services among the <paramref name="products"/> of one order,
    /// refusing one domain named twice; <paramref name="fieldOf"/> names the request field of the
    /// product at an index. Nothing is claimed unless all are free.
    /// </summary>
    public async Task<Result<Done>> ClaimAsync(IReadOnlyList<Product> products, Func<int, string> fieldOf, DateTimeOffset now, CancellationToken ct)
    {
        var claims = new Dictionary<string, MailDomain>(StringComparer.Ordinal);
        for (var i = 0; i < products.Count; i++)
        {
            if (products[i].Type != ProductType.MailService)
            {
                continue;
            }

            var domain = MailDomain.Normalize(products[i].Name, fieldOf(i));
            if (!domain.IsSuccess)
            {
                return domain.Error;
            }

            if (claims.ContainsKey(domain.Value) || await store.FindMailDomainAsync(domain.Value, ct).ConfigureAwait(false) is not null)
            {
                return Taken(fieldOf(i));
            }

            claims[domain.Value] = MailDomain.Claim(domain.Value, products[i], now);
        }

        foreach (var claim in claims.Values)
        {
            store.Add(claim);
        }

        return Done.Value;
    }

    /// <summary>Frees the domain of a mail service that ended, in the caller's unit of work.</summary>
    public async Task ReleaseAsync(Product product, CancellationToken ct)
    {
        var domain = MailDomain.Normalize(product.Name, "name");
        if (product.Type != ProductType.MailService || !domain.IsSuccess)
        {
            return;
        }

        if (await store.FindMailDomainAsync(domain.Value, ct).ConfigureAwait(false) is { } claim && claim.ProductId == product.Id)
        {
            store.Remove(claim);
        }
    }

    /// <summary>Whether a failed save lost the domain to a concurrent order.</summary>
    public static bool IsClaimConflict(DuplicateKeyException exception) =>
        exception.Key?.Contains(KeyName, StringComparison.OrdinalIgnoreCase) ?? false;

    /// <summary>The name the store gives the table of domains, found in its unique-key errors.</summary>
    public const string KeyName = "MailDomains";
}
