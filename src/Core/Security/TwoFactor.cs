using OtpNet;

namespace Hosting.Core.Security;

/// <summary>TOTP (RFC 6238: SHA-1, 6 digits, 30 s) through Otp.NET, with the clock supplied.</summary>
public static class Totp
{
    /// <summary>Bytes of a new secret (160 bits, RFC 4226's recommendation).</summary>
    public const int SecretBytes = 20;

    /// <summary>The base32 text of a secret, as authenticator apps take it.</summary>
    public static string ToBase32(byte[] secret) => Base32Encoding.ToString(secret);

    /// <summary>The otpauth URI for a QR code.</summary>
    public static string OtpAuthUri(string base32Secret, string account, string issuer) =>
        new OtpUri(OtpType.Totp, base32Secret, account, issuer).ToString();

    /// <summary>
    /// The time step a code matches at <paramref name="now"/> (one step of drift either way), or null.
    /// </summary>
    public static long? MatchingStep(string base32Secret, string? code, DateTimeOffset now)
    {
        var trimmed = (code ?? string.Empty).Replace(" ", string.Empty, StringComparison.Ordinal);
        if (trimmed.Length != 6 || !trimmed.All(char.IsAsciiDigit))
        {
            return null;
        }

        var totp = new OtpNet.Totp(Base32Encoding.ToBytes(base32Secret));
        return totp.VerifyTotp(now.UtcDateTime, trimmed, out var step, VerificationWindow.RfcSpecifiedNetworkDelay)
            ? step
            : null;
    }

    /// <summary>The code for a moment (used by tests and by enrollment checks).</summary>
    public static string CodeAt(string base32Secret, DateTimeOffset at) =>
        new OtpNet.Totp(Base32Encoding.ToBytes(base32Secret)).ComputeTotp(at.UtcDateTime);
}
