using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>Whether an organization is a person or a company (ORG-1, ORG-11).</summary>
public enum HolderKind
{
    /// <summary>A private person.</summary>
    Individual = 1,
    /// <summary>A company or association.</summary>
    Company = 2,
}

/// <summary>
/// An organization's contact details (ORG-11); the main billing address derives from them. The
/// organization's name is the company name for a company, "First Last" for a person (ORG-1).
/// </summary>
public sealed record ContactDetails
{
    /// <summary>Longest text field accepted.</summary>
    public const int MaxTextLength = 200;

    /// <summary>Person or company.</summary>
    public required HolderKind Kind { get; init; }

    /// <summary>The contact person's first name.</summary>
    public required string FirstName { get; init; }

    /// <summary>The contact person's last name.</summary>
    public required string LastName { get; init; }

    /// <summary>The company's name; empty for a person.</summary>
    public string CompanyName { get; init; } = string.Empty;

    /// <summary>Street and number.</summary>
    public required string Street { get; init; }

    /// <summary>Postal code.</summary>
    public required string PostalCode { get; init; }

    /// <summary>City.</summary>
    public required string City { get; init; }

    /// <summary>ISO 3166-1 alpha-2 country code, upper case.</summary>
    public required string Country { get; init; }

    /// <summary>VAT number, for companies only; may be empty.</summary>
    public string VatNumber { get; init; } = string.Empty;

    /// <summary>The name the organization carries.</summary>
    public string DisplayName => Kind == HolderKind.Company ? CompanyName : $"{FirstName} {LastName}";

    /// <summary>Trims every field and checks the rules; errors name the field under <paramref name="prefix"/>.</summary>
    public Result<ContactDetails> Validated(string prefix)
    {
        var clean = this with
        {
            FirstName = (FirstName ?? string.Empty).Trim(),
            LastName = (LastName ?? string.Empty).Trim(),
            CompanyName = (CompanyName ?? string.Empty).Trim(),
            Street = (Street ?? string.Empty).Trim(),
            PostalCode = (PostalCode ?? string.Empty).Trim(),
            City = (City ?? string.Empty).Trim(),
            Country = (Country ?? string.Empty).Trim().ToUpperInvariant(),
            VatNumber = (VatNumber ?? string.Empty).Trim(),
        };

        var violations = new List<FieldViolation>();
        void Require(string value, string field)
        {
            if (TextViolation(value, $"{prefix}.{field}", field) is { } violation)
            {
                violations.Add(violation);
            }
        }

        if (!Enum.IsDefined(clean.Kind))
        {
            violations.Add(new FieldViolation($"{prefix}.kind", "FIELD_REQUIRED", "kind must be individual or company."));
        }

        Require(clean.FirstName, "first_name");
        Require(clean.LastName, "last_name");
        Require(clean.Street, "street");
        Require(clean.PostalCode, "postal_code");
        Require(clean.City, "city");
        if (!Iso3166.IsCode(clean.Country))
        {
            violations.Add(CountryViolation($"{prefix}.country"));
        }

        if (clean.Kind == HolderKind.Company)
        {
            Require(clean.CompanyName, "company_name");
        }
        else if (clean.CompanyName.Length > 0 || clean.VatNumber.Length > 0)
        {
            violations.Add(new FieldViolation($"{prefix}.vat_number", "COMPANY_FIELDS_FOR_INDIVIDUAL", "Only a company has a company name and a VAT number."));
        }

        if (clean.VatNumber.Length > 32 || clean.VatNumber.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ' ' and not '.' and not '-'))
        {
            violations.Add(new FieldViolation($"{prefix}.vat_number", "FIELD_INVALID", "vat_number holds letters, digits, spaces, dots and dashes only."));
        }

        if (violations.Count > 0)
        {
            return new DomainError(ErrorKind.InvalidArgument, violations[0].Reason, "The contact details are not valid.") { Fields = violations };
        }

        return clean;
    }

    /// <summary>
    /// The one rule for a required line of text: FIELD_REQUIRED when empty, FIELD_TOO_LONG beyond
    /// <see cref="MaxTextLength"/>, FIELD_INVALID with control characters; null when it passes.
    /// </summary>
    public static FieldViolation? TextViolation(string value, string path, string name) =>
        value.Length == 0 ? new FieldViolation(path, "FIELD_REQUIRED", $"{name} is required.")
        : value.Length > MaxTextLength ? new FieldViolation(path, "FIELD_TOO_LONG", $"{name} has {value.Length} characters; at most {MaxTextLength} are allowed.")
        : value.Any(char.IsControl) ? new FieldViolation(path, "FIELD_INVALID", $"{name} must not hold control characters.")
        : null;

    /// <summary>The violation of a country that is not an assigned ISO 3166-1 alpha-2 code (ORG-11).</summary>
    public static FieldViolation CountryViolation(string path) =>
        new(path, "INVALID_COUNTRY", "country must be an assigned ISO 3166-1 alpha-2 code such as CH.");
}
