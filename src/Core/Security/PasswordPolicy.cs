using System.Text;
using Hosting.Core.Shared;

namespace Hosting.Core.Security;

/// <summary>
/// ACC-2, NIST SP 800-63B style: length in code points, no composition rules, not a common
/// password, not the login. Errors name the rule, never the password.
/// </summary>
public sealed class PasswordPolicy(ICommonPasswords commonPasswords)
{
    /// <summary>Fewest code points accepted.</summary>
    public const int MinLength = 8;

    /// <summary>Most code points accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>
    /// Checks a candidate password and returns its normalized (NFKC) form, the form that is hashed,
    /// so that the same password typed on different keyboards verifies.
    /// </summary>
    public Result<string> Check(string? password, EmailAddress? login, string field)
    {
        if (string.IsNullOrEmpty(password))
        {
            return DomainError.Invalid(field, "PASSWORD_REQUIRED", "A password is required.");
        }

        if (!TryNormalize(password ?? string.Empty, out var normalized))
        {
            return DomainError.Invalid(field, "PASSWORD_INVALID_TEXT", "The password contains text that is not valid Unicode.");
        }

        var length = normalized.EnumerateRunes().Count();
        if (length < MinLength)
        {
            return DomainError.Invalid(field, "PASSWORD_TOO_SHORT", $"The password must have at least {MinLength} characters.");
        }

        if (length > MaxLength)
        {
            return DomainError.Invalid(field, "PASSWORD_TOO_LONG", $"The password must have at most {MaxLength} characters.");
        }

        if (login is { } l && string.Equals(normalized.Trim(), l.Value, StringComparison.OrdinalIgnoreCase))
        {
            return DomainError.Invalid(field, "PASSWORD_EQUALS_LOGIN", "The password must not be the login.");
        }

        if (commonPasswords.Contains(normalized))
        {
            return DomainError.Invalid(field, "PASSWORD_TOO_COMMON", "This password is too common; choose another.");
        }

        return normalized;
    }

    /// <summary>The form a password is hashed and verified in.</summary>
    public static bool TryNormalize(string password, out string normalized)
    {
        try
        {
            normalized = password.Normalize(NormalizationForm.FormKC);
            return true;
        }
        catch (ArgumentException)
        {
            normalized = string.Empty;
            return false;
        }
    }
}
