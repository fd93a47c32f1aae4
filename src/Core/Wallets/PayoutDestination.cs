using System.Numerics;
using Hosting.Core.Shared;

namespace Hosting.Core.Wallets;

/// <summary>Where a withdrawal is paid: a bank account or a PayPal address (WAL-3).</summary>
public enum PayoutKind
{
    /// <summary>A bank account, by IBAN.</summary>
    BankAccount = 1,
    /// <summary>A PayPal account, by its email address.</summary>
    PayPal = 2,
}

/// <summary>A validated payout destination.</summary>
public sealed record PayoutDestination(PayoutKind Kind, string Value)
{
    /// <summary>An IBAN, checked with its ISO 13616 mod-97 check digits; stored without spaces, upper case.</summary>
    public static Result<PayoutDestination> Iban(string? input, string field)
    {
        // ASCII is checked before upper-casing: 'ı' and 'ſ' upper-case to ASCII 'I' and 'S'.
        var typed = new string((input ?? string.Empty).Where(c => !char.IsWhiteSpace(c)).ToArray());
        var iban = typed.ToUpperInvariant();
        if (iban.Length < 15 || iban.Length > 34 || !typed.All(char.IsAsciiLetterOrDigit)
            || !char.IsAsciiLetter(iban[0]) || !char.IsAsciiLetter(iban[1]) || !char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3]))
        {
            return DomainError.Invalid(field, "INVALID_IBAN", "This is not an IBAN.");
        }

        var rearranged = iban[4..] + iban[..4];
        var digits = string.Concat(rearranged.Select(c => char.IsAsciiDigit(c) ? c.ToString() : (c - 'A' + 10).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (BigInteger.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) % 97 != 1)
        {
            return DomainError.Invalid(field, "INVALID_IBAN", "The IBAN's check digits do not match; check it for typing errors.");
        }

        return new PayoutDestination(PayoutKind.BankAccount, iban);
    }

    /// <summary>A PayPal account's email address.</summary>
    public static Result<PayoutDestination> PayPal(string? input, string field)
    {
        var email = EmailAddress.Parse(input, field);
        return email.IsSuccess ? new PayoutDestination(PayoutKind.PayPal, email.Value.Value) : email.Error;
    }
}
