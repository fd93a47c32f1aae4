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

    /// <summary>
    /// Implementation: <c>Auto</c> (the default: libsodium where it loads and the lanes are 1, else Isopoh),
    /// <c>Sodium</c> (libsodium, required) or <c>Isopoh</c> (managed); all write and read the same PHC strings.
    /// </summary>
    public string Implementation { get; init; } = PasswordHashers.Auto;

    /// <summary>Whether a hash (a PHC string) was made with weaker parameters than these, or cannot be read: it is rehashed at the next sign-in.</summary>
    public bool IsStrongerThan(string hash) =>
        !PhcString.TryParse(hash, out var phc)
        || phc.MemoryKib < MemoryKib || phc.Iterations < Iterations || phc.Parallelism < Parallelism;

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
    private readonly HashingGate _gate;

    /// <summary>Creates a hasher; <paramref name="maxConcurrent"/> defaults to the processor count.</summary>
    public Argon2idPasswordHasher(Argon2Parameters parameters, ISecretGenerator random, int? maxConcurrent = null)
        : this(parameters, random, new HashingGate(maxConcurrent))
    {
    }

    /// <summary>Creates a hasher that shares <paramref name="gate"/> with another.</summary>
    internal Argon2idPasswordHasher(Argon2Parameters parameters, ISecretGenerator random, HashingGate gate)
    {
        parameters.EnsureAtLeastOwasp();
        _parameters = parameters;
        _random = random;
        _gate = gate;
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
        return await _gate.RunAsync(() => Argon2.Hash(config), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<PasswordCheck> VerifyAsync(string hash, string password, CancellationToken cancellationToken = default)
    {
        var matches = await _gate.RunAsync(() => Argon2.Verify(hash, password), cancellationToken).ConfigureAwait(false);
        return new PasswordCheck(matches, matches && _parameters.IsStrongerThan(hash));
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

}
