using System.Security.Cryptography;
using System.Text;

namespace Hosting.Core.Shared;

/// <summary>
/// High-entropy secrets (session and reset tokens, recovery codes) are stored as SHA-256 digests:
/// with 128+ random bits there is nothing to brute-force, so a slow hash would only cost time.
/// </summary>
public static class Secrets
{
    /// <summary>A url-safe token of <paramref name="bytes"/> random bytes.</summary>
    public static string NewToken(ISecretGenerator random, int bytes = 32) =>
        Base64Url(random.GetBytes(bytes));

    /// <summary>The stored form of a token.</summary>
    public static string Digest(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Compares two digests in constant time.</summary>
    public static bool DigestEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    /// <summary>Base64url without padding.</summary>
    public static string Base64Url(byte[] data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
