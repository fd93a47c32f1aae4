using System.Globalization;
using System.Text;
using Isopoh.Cryptography.Argon2;
using Hosting.Core.Shared;

namespace Hosting.Core.Security;

/// <summary>Hashes and verifies passwords; hashes are PHC strings that carry their own parameters.</summary>
public interface IPasswordHasher
{
    /// <summary>A new hash of the password with a fresh random salt.</summary>
    Task<string> HashAsync(string password, CancellationToken cancellationToken = default);

    /// <summary>Whether the password matches, and whether the hash's parameters are below the current ones.</summary>
    Task<PasswordCheck> VerifyAsync(string hash, string password, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of a verification.</summary>
public readonly record struct PasswordCheck(bool Matches, bool NeedsRehash);

/// <summary>Argon2id parameters. Defaults are OWASP's minimum (19 MiB, 2 passes, 1 lane).</summary>
public sealed record Argon2Parameters
{
    /// <summary>OWASP's recommended floor.</summary>
    public static readonly Argon2Parameters Owasp = new();

    /// <summary>Memory in KiB.</summary>
    public int MemoryKib { get; init; } = 19 * 1024;

    /// <summary>Passes over memory.</summary>
    public int Iterations { get; init; } = 2;

    /// <summary>Lanes.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>Implementation: <c>Isopoh</c> (managed, the default) or <c>Sodium</c> (libsodium); both write and read the same PHC strings.</summary>
    public string Implementation { get; init; } = "Isopoh";

    /// <summary>Refuses parameters weaker than OWASP's floor (ACC-1).</summary>
    public void EnsureAtLeastOwasp()
    {
        if (MemoryKib < Owasp.MemoryKib || Iterations < Owasp.Iterations || Parallelism < 1)
        {
            throw new ArgumentException("Argon2id parameters must be at least OWASP's (19 MiB, t=2, p=1).");
        }
    }
}

/// <summary>
/// Argon2id through Isopoh.Cryptography.Argon2. Hashing is bounded to a few at a time so that a
/// burst of sign-ins queues instead of allocating memory for every request at once.
/// </summary>
public sealed class Argon2idPasswordHasher : IPasswordHasher, IDisposable
{
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly Argon2Parameters _parameters;
    private readonly ISecretGenerator _random;
    private readonly SemaphoreSlim _gate;

    /// <summary>Creates a hasher; <paramref name="maxConcurrent"/> defaults to the processor count.</summary>
    public Argon2idPasswordHasher(Argon2Parameters parameters, ISecretGenerator random, int? maxConcurrent = null)
    {
        parameters.EnsureAtLeastOwasp();
        _parameters = parameters;
        _random = random;
        var slots = Math.Max(1, maxConcurrent ?? Environment.ProcessorCount);
        _gate = new SemaphoreSlim(slots, slots);
    }

    /// <inheritdoc />
    public async Task<string> HashAsync(string password, CancellationToken cancellationToken = default)
    {
        var config = new Argon2Config
        {
            Type = Argon2Type.HybridAddressing,
            Version = Argon2Version.Nineteen,
            TimeCost = _parameters.Iterations,
            MemoryCost = _parameters.MemoryKib,
            Lanes = _parameters.Parallelism,
            Threads = _parameters.Parallelism,
            HashLength = HashBytes,
            Password = Encoding.UTF8.GetBytes(password),
            Salt = _random.GetBytes(SaltBytes),
        };
        return await RunGatedAsync(() => Argon2.Hash(config), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<PasswordCheck> VerifyAsync(string hash, string password, CancellationToken cancellationToken = default)
    {
        var matches = await RunGatedAsync(() => Argon2.Verify(hash, password), cancellationToken).ConfigureAwait(false);
        return new PasswordCheck(matches, matches && IsWeakerThanCurrent(hash));
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private async Task<T> RunGatedAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(work, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    // PHC form: $argon2id$v=19$m=19456,t=2,p=1$salt$hash
    private bool IsWeakerThanCurrent(string hash)
    {
        var parts = hash.Split('$');
        if (parts.Length < 5 || parts[1] != "argon2id")
        {
            return true;
        }

        var values = parts[3].Split(',')
            .Select(p => p.Split('='))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0);
        return values.GetValueOrDefault("m") < _parameters.MemoryKib
            || values.GetValueOrDefault("t") < _parameters.Iterations
            || values.GetValueOrDefault("p") < _parameters.Parallelism;
    }
}
