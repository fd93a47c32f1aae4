using System.Net.Mail;

namespace Hosting.Core.Shared;

/// <summary>An email address, trimmed and lower-cased, so that equality is case-insensitive (ACC-1).</summary>
public readonly record struct EmailAddress
{
    /// <summary>The longest address accepted (RFC 5321 path limit).</summary>
    public const int MaxLength = 254;

    private EmailAddress(string value) => Value = value;

    /// <summary>The normalized address.</summary>
    public string Value { get; }

    /// <summary>Parses an address of any domain; the error names <paramref name="field"/>.</summary>
    public static Result<EmailAddress> Parse(string? input, string field)
    {
        var trimmed = (input ?? string.Empty).Trim();
        if (trimmed.Length == 0)
        {
            return DomainError.Invalid(field, "EMAIL_REQUIRED", "An email address is required.");
        }

        if (trimmed.Length > MaxLength || !IsWellFormed(trimmed))
        {
            return DomainError.Invalid(field, "INVALID_EMAIL", "This is not a valid email address.");
        }

        return new EmailAddress(trimmed.ToLowerInvariant());
    }

    /// <summary>Rehydrates a value that was parsed before (from the store).</summary>
    public static EmailAddress FromTrusted(string normalized) => new(normalized);

    private static bool IsWellFormed(string s)
    {
        // MailAddress accepts display names and comments; require it to round-trip to the bare address.
        if (s.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || s.Contains('<') || s.Contains('"'))
        {
            return false;
        }

        if (!MailAddress.TryCreate(s, out var parsed) || parsed.Address != s)
        {
            return false;
        }

        var host = parsed.Host;
        return host.Contains('.') && !host.StartsWith('.') && !host.EndsWith('.') && !host.Contains("..");
    }

    /// <inheritdoc />
    public override string ToString() => Value;
}
