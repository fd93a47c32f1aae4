using System.Security.Cryptography;
using Hosting.Core.Shared;
using NSec.Cryptography;

namespace Hosting.Core.Security;

/// <summary>
/// Argon2id through libsodium (NSec.Cryptography), writing the same PHC strings as
/// <see cref="Argon2idPasswordHasher"/>: either verifies the other's hashes. libsodium computes one
/// lane only; hashes with another lane count or salt size are verified by Isopoh instead.
/// </summary>
public sealed class SodiumArgon2idPasswordHasher : IPasswordHasher, IDisposable
{
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly Argon2Parameters _parameters;
    private readonly ISecretGenerator _random;
    private readonly HashingGate _gate;
    private readonly Argon2idPasswordHasher _fallback;

    /// <summary>Creates a hasher; <paramref name="maxConcurrent"/> defaults to the processor count.</summary>
    public SodiumArgon2idPasswordHasher(Argon2Parameters parameters, ISecretGenerator random, int? maxConcurrent = null)
    {
        parameters.EnsureAtLeastOwasp();
        if (parameters.Parallelism != 1)
        {
            throw new ArgumentException("libsodium's Argon2id computes one lane only (PasswordHashing:Parallelism=1).");
        }

        _parameters = parameters;
        _random = random;
        _gate = new HashingGate(maxConcurrent);
        _fallback = new Argon2idPasswordHasher(parameters, random, _gate); // one budget of hashing slots for both
    }

    /// <inheritdoc />
    public async Task<string> HashAsync(string password, CancellationToken cancellationToken = default)
    {
        var salt = _random.GetBytes(SaltBytes);
        var hash = await _gate.RunAsync(() => Derive(password, salt, _parameters.MemoryKib, _parameters.Iterations, HashBytes), cancellationToken).ConfigureAwait(false);
        return PhcString.Format(_parameters.MemoryKib, _parameters.Iterations, 1, salt, hash);
    }

    /// <inheritdoc />
    public async Task<PasswordCheck> VerifyAsync(string hash, string password, CancellationToken cancellationToken = default)
    {
        if (!PhcString.TryParse(hash, out var phc) || phc.Parallelism != 1 || phc.Salt.Length != SaltBytes || phc.Hash.Length < 16)
        {
            return await _fallback.VerifyAsync(hash, password, cancellationToken).ConfigureAwait(false);
        }

        var actual = await _gate.RunAsync(() => Derive(password, phc.Salt, phc.MemoryKib, phc.Iterations, phc.Hash.Length), cancellationToken).ConfigureAwait(false);
        var matches = CryptographicOperations.FixedTimeEquals(actual, phc.Hash);
        return new PasswordCheck(matches, matches && _parameters.IsStrongerThan(hash));
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private static byte[] Derive(string password, byte[] salt, int memoryKib, int iterations, int length)
    {
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new NSec.Cryptography.Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = memoryKib,
            NumberOfPasses = iterations,
        });
        // The byte overload: NSec's string overload does not hash the plain UTF-8 bytes that Isopoh and the reference hash.
        var bytes = System.Text.Encoding.UTF8.GetBytes(password);
        try
        {
            return algorithm.DeriveBytes(bytes, salt, length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

}

/// <summary>Chooses the Argon2id implementation named by <c>PasswordHashing:Implementation</c>.</summary>
public static class PasswordHashers
{
    /// <summary>libsodium where it can run, Isopoh elsewhere.</summary>
    public const string Auto = "Auto";

    /// <summary>libsodium through NSec; hashes it cannot read are verified by Isopoh.</summary>
    public const string Sodium = "Sodium";

    /// <summary>Isopoh, managed.</summary>
    public const string Isopoh = "Isopoh";

    private static readonly Lazy<bool> SodiumLoads = new(() =>
    {
        try
        {
            // Creating the algorithm loads libsodium and checks that its Argon2id is there.
            _ = PasswordBasedKeyDerivationAlgorithm.Argon2id(new NSec.Cryptography.Argon2Parameters { DegreeOfParallelism = 1, MemorySize = Argon2Parameters.Owasp.MemoryKib, NumberOfPasses = Argon2Parameters.Owasp.Iterations });
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException or PlatformNotSupportedException or TypeInitializationException or InvalidOperationException)
        {
            return false;
        }
    });

    /// <summary>
    /// The implementation <paramref name="parameters"/> name: by default libsodium (about 1.7x faster than Isopoh
    /// here, and no managed allocation per hash), unless the lanes are not 1 or libsodium does not load on this machine.
    /// </summary>
    public static IPasswordHasher Create(Argon2Parameters parameters, ISecretGenerator random) =>
        Chosen(parameters) == Sodium ? new SodiumArgon2idPasswordHasher(parameters, random) : new Argon2idPasswordHasher(parameters, random);

    /// <summary>The implementation <see cref="Create"/> builds: <see cref="Sodium"/> or <see cref="Isopoh"/>.</summary>
    public static string Chosen(Argon2Parameters parameters)
    {
        if (string.Equals(parameters.Implementation, Sodium, StringComparison.OrdinalIgnoreCase))
        {
            return Sodium;
        }

        if (string.Equals(parameters.Implementation, Isopoh, StringComparison.OrdinalIgnoreCase))
        {
            return Isopoh;
        }

        if (!string.Equals(parameters.Implementation, Auto, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Unknown PasswordHashing:Implementation '{parameters.Implementation}'. Supported: {Auto}, {Sodium}, {Isopoh}.");
        }

        return parameters.Parallelism == 1 && SodiumLoads.Value ? Sodium : Isopoh;
    }
}

/// <summary>The PHC string form of an Argon2id hash: <c>$argon2id$v=19$m=..,t=..,p=..$salt$hash</c>, unpadded Base64.</summary>
internal static class PhcString
{
    public readonly record struct Parts(int MemoryKib, int Iterations, int Parallelism, byte[] Salt, byte[] Hash);

    public static string Format(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"$argon2id$v=19$m={memoryKib},t={iterations},p={parallelism}${Unpadded(salt)}${Unpadded(hash)}");

    public static bool TryParse(string phc, out Parts parts)
    {
        parts = default;
        var fields = phc.Split('$');
        if (fields.Length != 6 || fields[0].Length != 0 || fields[1] != "argon2id" || fields[2] != "v=19")
        {
            return false;
        }

        int m = 0, t = 0, p = 0;
        foreach (var pair in fields[3].Split(','))
        {
            var kv = pair.Split('=');
            if (kv.Length != 2 || !int.TryParse(kv[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            switch (kv[0])
            {
                case "m": m = value; break;
                case "t": t = value; break;
                case "p": p = value; break;
                default: return false;
            }
        }

        if (m <= 0 || t <= 0 || p <= 0 || !TryDecode(fields[4], out var salt) || !TryDecode(fields[5], out var hash))
        {
            return false;
        }

        parts = new Parts(m, t, p, salt, hash);
        return true;
    }

    private static string Unpadded(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryDecode(string text, out byte[] bytes)
    {
        var padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        bytes = new byte[padded.Length];
        if (Convert.TryFromBase64String(padded, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}
