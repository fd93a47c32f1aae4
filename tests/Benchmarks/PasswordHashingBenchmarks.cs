using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Attributes;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Benchmarks;

/// <summary>
/// One Argon2id hash at the configured parameters (OWASP: 19 MiB, t=2, p=1) through each
/// implementation: the product's default (Isopoh), the optional libsodium one, and the reference C
/// implementation (Debian's libargon2, the library behind the `argon2` command) called in process.
/// </summary>
[MemoryDiagnoser]
public partial class PasswordHashingBenchmarks
{
    private const string Password = "violet-harbour-lantern";
    private static readonly byte[] Salt = Encoding.ASCII.GetBytes("somesaltsomesalt");
    private readonly SystemSecretGenerator _random = new();
    private Argon2idPasswordHasher _isopoh = null!;
    private SodiumArgon2idPasswordHasher _sodium = null!;

    /// <summary>The parameters the host runs with by default.</summary>
    public static Argon2Parameters Parameters { get; } = Argon2Parameters.Owasp;

    [GlobalSetup]
    public void Setup()
    {
        _isopoh = new Argon2idPasswordHasher(Parameters, _random);
        _sodium = new SodiumArgon2idPasswordHasher(Parameters, _random);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _isopoh.Dispose();
        _sodium.Dispose();
    }

    [Benchmark(Description = "Isopoh")]
    public string Isopoh() => _isopoh.HashAsync(Password).GetAwaiter().GetResult();

    [Benchmark(Description = "Sodium")]
    public string Sodium() => _sodium.HashAsync(Password).GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "ReferenceC")]
    public byte[] ReferenceC()
    {
        var password = Encoding.UTF8.GetBytes(Password);
        var hash = new byte[32];
        var rc = Argon2idHashRaw((uint)Parameters.Iterations, (uint)Parameters.MemoryKib, (uint)Parameters.Parallelism, password, (nuint)password.Length, Salt, (nuint)Salt.Length, hash, (nuint)hash.Length);
        return rc == 0 ? hash : throw new InvalidOperationException($"argon2id_hash_raw returned {rc}");
    }

    [LibraryImport("libargon2.so.1", EntryPoint = "argon2id_hash_raw")]
    private static partial int Argon2idHashRaw(uint tCost, uint mCost, uint parallelism, byte[] pwd, nuint pwdLen, byte[] salt, nuint saltLen, byte[] hash, nuint hashLen);
}
