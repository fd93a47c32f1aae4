using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Tests.Core;

/// <summary>The managed (Isopoh) and libsodium Argon2id hashers write the same PHC strings and verify each other's hashes.</summary>
public sealed class PasswordHasherCrossVerificationTests : IDisposable
{
    private const string Password = "violet-harbour-lantern";
    private readonly SystemSecretGenerator _random = new();
    private readonly Argon2idPasswordHasher _isopoh;
    private readonly SodiumArgon2idPasswordHasher _sodium;

    public PasswordHasherCrossVerificationTests()
    {
        _isopoh = new Argon2idPasswordHasher(Argon2Parameters.Owasp, _random);
        _sodium = new SodiumArgon2idPasswordHasher(Argon2Parameters.Owasp, _random);
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public async Task Sodium_VerifiesIsopohHashes_AndRejectsWrongPasswords()
    {
        var hash = await _isopoh.HashAsync(Password);

        Assert.Equal(new PasswordCheck(true, false), await _sodium.VerifyAsync(hash, Password));
        Assert.False((await _sodium.VerifyAsync(hash, Password + "x")).Matches);
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public async Task Isopoh_VerifiesSodiumHashes_AndRejectsWrongPasswords()
    {
        var hash = await _sodium.HashAsync(Password);

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", hash, StringComparison.Ordinal);
        Assert.Equal(new PasswordCheck(true, false), await _isopoh.VerifyAsync(hash, Password));
        Assert.False((await _isopoh.VerifyAsync(hash, "wrong-" + Password)).Matches);
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public async Task Sodium_FlagsWeakerHashesForRehash_AndLeavesOtherLaneCountsToIsopoh()
    {
        using var stronger = new SodiumArgon2idPasswordHasher(Argon2Parameters.Owasp with { MemoryKib = 24 * 1024 }, _random);
        Assert.Equal(new PasswordCheck(true, true), await stronger.VerifyAsync(await _sodium.HashAsync(Password), Password));

        using var twoLanes = new Argon2idPasswordHasher(Argon2Parameters.Owasp with { Parallelism = 2 }, _random);
        var twoLaneHash = await twoLanes.HashAsync(Password);
        Assert.True((await _sodium.VerifyAsync(twoLaneHash, Password)).Matches);
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public async Task Both_VerifyTheReferenceImplementationsHash()
    {
        // `echo -n violet-harbour-lantern | argon2 somesaltsomesalt -id -t 2 -k 19456 -p 1 -l 32 -e` (Debian's argon2, the reference C code).
        const string reference = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Qg3bzWCwTq8mLlmDBAY79jl3uS7eSCkKnfWTNN0XvPk";

        Assert.True((await _isopoh.VerifyAsync(reference, Password)).Matches);
        Assert.True((await _sodium.VerifyAsync(reference, Password)).Matches);
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public void Implementation_IsLibsodiumByDefault_WhereItRuns_AndIsopohWhenAskedOrForOtherLaneCounts()
    {
        using var byDefault = (IDisposable)PasswordHashers.Create(Argon2Parameters.Owasp, _random);
        using var sodium = (IDisposable)PasswordHashers.Create(Argon2Parameters.Owasp with { Implementation = "Sodium" }, _random);
        using var isopoh = (IDisposable)PasswordHashers.Create(Argon2Parameters.Owasp with { Implementation = "Isopoh" }, _random);
        using var twoLanes = (IDisposable)PasswordHashers.Create(Argon2Parameters.Owasp with { Parallelism = 2 }, _random);

        // libsodium is shipped with NSec for this platform, so Auto picks it here.
        Assert.IsType<SodiumArgon2idPasswordHasher>(byDefault);
        Assert.IsType<SodiumArgon2idPasswordHasher>(sodium);
        Assert.IsType<Argon2idPasswordHasher>(isopoh);
        Assert.IsType<Argon2idPasswordHasher>(twoLanes);
        Assert.Throws<ArgumentException>(() => PasswordHashers.Create(Argon2Parameters.Owasp with { Implementation = "bcrypt" }, _random));
    }

    public void Dispose()
    {
        _isopoh.Dispose();
        _sodium.Dispose();
    }
}
