using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Tests.Core;

/// <summary>The stored hash's PHC string and the Argon2id parameters it is judged against (ACC-1): no hashing, only the text.</summary>
public sealed class PasswordHashParameterTests
{
    private const string Salt = "c29tZXNhbHRzb21lc2FsdA";
    private const string Hash = "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";

    private static readonly ISecretGenerator SecretGenerator = new SystemSecretGenerator();

    private static string Phc(string parameters) => $"$argon2id$v=19${parameters}${Salt}${Hash}";

    [Fact]
    [Trait("Rule", "ACC-1")]
    public void AWellFormedHash_ReadsItsParametersSaltAndHash()
    {
        Assert.True(PhcString.TryParse(Phc("m=19456,t=2,p=1"), out var parts));

        Assert.Equal((19456, 2, 1), (parts.MemoryKib, parts.Iterations, parts.Parallelism));
        Assert.Equal("somesaltsomesalt"u8.ToArray(), parts.Salt);
        Assert.Equal(PhcString.Format(19456, 2, 1, parts.Salt, parts.Hash), Phc("m=19456,t=2,p=1"));
    }

    [Theory]
    [Trait("Rule", "ACC-1")]
    [InlineData("x$argon2id$v=19$m=19456,t=2,p=1$" + Salt + "$" + Hash)]
    [InlineData("$argon2i$v=19$m=19456,t=2,p=1$" + Salt + "$" + Hash)]
    [InlineData("$argon2id$v=16$m=19456,t=2,p=1$" + Salt + "$" + Hash)]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$" + Salt)]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$" + Salt + "$" + Hash + "$")]
    [InlineData("$argon2id$v=19$m=0,t=2,p=1$" + Salt + "$" + Hash)]
    [InlineData("$argon2id$v=19$m=19456,t=0,p=1$" + Salt + "$" + Hash)]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=0$" + Salt + "$" + Hash)]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=-1$" + Salt + "$" + Hash)]
    [InlineData("$argon2id$v=19$m=19456,t=2,p$" + Salt + "$" + Hash)]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1,x=3$" + Salt + "$" + Hash)]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$" + Salt + "!$" + Hash)]
    public void AHashThatIsNotAnArgon2idPhcStringWithPositiveParameters_IsNotRead(string phc) =>
        Assert.False(PhcString.TryParse(phc, out _));

    [Theory]
    [Trait("Rule", "ACC-1")]
    [InlineData("m=19456,t=2,p=1", false)]
    [InlineData("m=65536,t=3,p=2", false)]
    [InlineData("m=19455,t=2,p=1", true)]
    [InlineData("m=19456,t=1,p=1", true)]
    [InlineData("m=19456,t=2,p=0", true)]
    public void AHashMadeWithWeakerParameters_OrUnreadable_IsRehashedAtTheNextSignIn(string parameters, bool weaker) =>
        Assert.Equal(weaker, Argon2Parameters.Owasp.IsStrongerThan(Phc(parameters)));

    [Fact]
    [Trait("Rule", "ACC-1")]
    public void ParametersBelowOwaspsFloor_AreRefused_AndTheFloorItselfIsAccepted()
    {
        Assert.Equal((19 * 1024, 2, 1), (Argon2Parameters.Owasp.MemoryKib, Argon2Parameters.Owasp.Iterations, Argon2Parameters.Owasp.Parallelism));
        Argon2Parameters.Owasp.EnsureAtLeastOwasp();
        new Argon2Parameters { MemoryKib = 65536, Iterations = 3, Parallelism = 4 }.EnsureAtLeastOwasp();

        Assert.Throws<ArgumentException>(() => (Argon2Parameters.Owasp with { MemoryKib = 19 * 1024 - 1 }).EnsureAtLeastOwasp());
        Assert.Throws<ArgumentException>(() => (Argon2Parameters.Owasp with { Iterations = 1 }).EnsureAtLeastOwasp());
        Assert.Throws<ArgumentException>(() => (Argon2Parameters.Owasp with { Parallelism = 0 }).EnsureAtLeastOwasp());
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public void NeitherHasher_IsBuiltWithParametersBelowOwaspsFloor()
    {
        var weak = Argon2Parameters.Owasp with { Iterations = 1 };

        Assert.Throws<ArgumentException>(() => new SodiumArgon2idPasswordHasher(weak, SecretGenerator));
        Assert.Throws<ArgumentException>(() => new Argon2idPasswordHasher(weak, SecretGenerator));
        Assert.Throws<ArgumentException>(() => new SodiumArgon2idPasswordHasher(Argon2Parameters.Owasp with { Parallelism = 2 }, SecretGenerator));
    }
}
