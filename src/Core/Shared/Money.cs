namespace Hosting.Core.Shared;

/// <summary>
/// An amount as an integer count of minor units in an ISO 4217 currency (BIL-10). Amounts of
/// different currencies never mix; arithmetic is checked.
/// </summary>
public readonly record struct Money
{
    private Money(long minor, string currency)
    {
        Minor = minor;
        Currency = currency;
    }

    /// <summary>Minor units (cents, rappen...).</summary>
    public long Minor { get; }

    /// <summary>The ISO 4217 code, upper case.</summary>
    public string Currency { get; }

    /// <summary>Makes an amount; the currency must be an ISO 4217 code in circulation.</summary>
    public static Result<Money> Of(long minor, string? currency, string field)
    {
        var code = (currency ?? string.Empty).Trim().ToUpperInvariant();
        if (!Iso4217.IsCode(code))
        {
            return DomainError.Invalid(field, "INVALID_CURRENCY", "The currency must be an ISO 4217 code such as CHF or EUR.");
        }

        return new Money(minor, code);
    }

    /// <summary>Rehydrates a stored amount.</summary>
    public static Money FromTrusted(long minor, string currency) => new(minor, currency);

    /// <summary>The sum; throws on mixed currencies (a bug) and on overflow.</summary>
    public Money Plus(Money other)
    {
        if (other.Currency != Currency)
        {
            throw new InvalidOperationException($"Cannot add {other.Currency} to {Currency}.");
        }

        return new Money(checked(Minor + other.Minor), Currency);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Minor} {Currency} minor units";
}
