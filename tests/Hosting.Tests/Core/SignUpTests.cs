using Hosting.Core.Accounts;
using Hosting.Core.Security;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class SignUpTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    [Trait("Rule", "ACC-1")]
    public async Task SignUp_WithLoginDifferingOnlyInCaseAndSpaces_IsRefusedAsTaken()
    {
        await _h.SignUpAsync("Ann@Example.COM");

        var again = await _h.Accounts().SignUpAsync("  ann@example.com ", Passwords.Other, null, Contexts.Home);

        var error = ResultAssert.Fails(again, "LOGIN_TAKEN");
        Assert.Equal(ErrorKind.AlreadyExists, error.Kind);
        Assert.Equal(1, _h.Query(db => db.Set<UserAccount>().Count()));
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public async Task SignUp_StoresLoginNormalized_AndAcceptsAnyDomain()
    {
        var account = await _h.SignUpAsync("  Bob.Smith@Some-Other-Provider.ORG ");

        Assert.Equal("bob.smith@some-other-provider.org", account.Login.Value);
    }

    [Theory]
    [Trait("Rule", "ACC-1")]
    [InlineData("")]
    [InlineData("not-an-email")]
    [InlineData("ann@localhost")]
    [InlineData("Ann <ann@example.com>")]
    [InlineData("ann@@example.com")]
    public async Task SignUp_WithMalformedLogin_FailsOnTheLoginField(string login)
    {
        var result = await _h.Accounts().SignUpAsync(login, Passwords.Good, null, Contexts.Home);

        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorKind.InvalidArgument, result.Error.Kind);
        Assert.Equal("login", Assert.Single(result.Error.Fields).Field);
        Assert.Equal(0, _h.Query(db => db.Set<UserAccount>().Count()));
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public async Task Password_IsStoredOnlyAsArgon2idHash_WithOwaspParametersAndPerHashSalt()
    {
        var ann = await _h.SignUpAsync("ann@example.com", Passwords.Good);
        var bob = await _h.SignUpAsync("bob@example.com", Passwords.Good);

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", ann.PasswordHash, StringComparison.Ordinal);
        Assert.DoesNotContain(Passwords.Good, ann.PasswordHash, StringComparison.Ordinal);
        Assert.NotEqual(ann.PasswordHash.Split('$')[4], bob.PasswordHash.Split('$')[4]);
        Assert.NotEqual(ann.PasswordHash, bob.PasswordHash);
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public void Hasher_RefusesParametersBelowOwasp()
    {
        var weak = Argon2Parameters.Owasp with { MemoryKib = 8 * 1024 };

        Assert.Throws<ArgumentException>(() => new Argon2idPasswordHasher(weak, _h.Random));
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public async Task SignIn_WithHashBelowCurrentParameters_RehashesAtTheCurrentOnes()
    {
        await _h.SignUpAsync();
        using var stronger = new Argon2idPasswordHasher(Argon2Parameters.Owasp with { MemoryKib = 24 * 1024 }, _h.Random);

        var signedIn = await _h.Accounts(stronger).SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home);

        Assert.True(signedIn.IsSuccess);
        var stored = _h.Query(db => db.Set<UserAccount>().Single().PasswordHash);
        Assert.StartsWith("$argon2id$v=19$m=24576,t=2,p=1$", stored, StringComparison.Ordinal);
        Assert.True((await _h.Accounts(stronger).SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-5")]
    [Trait("Rule", "ACC-6")]
    public async Task SignUp_KnowsTheDeviceAndNetworkItCameFrom_AndLogsTheCreation()
    {
        var account = await _h.SignUpAsync(context: Contexts.Home);

        var sources = _h.Query(db => db.Set<KnownSignInSource>().ToList());
        Assert.All(sources, s => Assert.Equal(account.Id, s.AccountId));
        Assert.All(sources, s => Assert.Equal(account.CreatedAt, s.FirstSeenAt));
        Assert.Equal(
            [(SignInSourceKind.Device, Secrets.Digest("laptop-1")), (SignInSourceKind.Network, Secrets.Digest("203.0.113.0/24"))],
            sources.Select(s => (s.Kind, s.Digest)).OrderBy(s => s.Kind));
        var created = Assert.Single(_h.Query(db => db.Set<ActivityEntry>().Where(e => e.Kind == ActivityKind.AccountCreated).ToList()));
        Assert.Equal(account.Id, created.AccountId);
        Assert.Equal(AccountsHarness.Start, created.At);
        Assert.Equal("203.0.113.10", created.IpAddress);
        Assert.Equal("laptop-1", created.Device);
    }

    [Fact]
    [Trait("Rule", "ACC-6")]
    public async Task ActivityEntry_NamesTheUserAgent_WhenNoDeviceIdIsSent()
    {
        await _h.SignUpAsync(context: SignInContext.Create("2001:db8::1", null, "Safari/18"));

        var created = _h.Query(db => db.Set<ActivityEntry>().Single(e => e.Kind == ActivityKind.AccountCreated));

        Assert.Equal("Safari/18", created.Device);
        Assert.Equal(Secrets.Digest("2001:db8::/48"), _h.Query(db => db.Set<KnownSignInSource>().Single()).Digest);
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task SignUp_KeepsTheRecoveryEmailNormalized_AndABlankOneAsNone()
    {
        var ann = await _h.SignUpAsync("ann@example.com", recovery: " Ann.Backup@Example.NET ");
        var bob = await _h.SignUpAsync("bob@example.com", recovery: "   ");

        Assert.Equal("ann.backup@example.net", ann.RecoveryEmail?.Value);
        Assert.Null(bob.RecoveryEmail);
    }

    [Theory]
    [Trait("Rule", "ACC-1")]
    [Trait("Rule", "ACC-2")]
    [InlineData(Passwords.Good, "not-an-email", "recovery_email")]
    [InlineData("qwertyuiop", "ann.backup@example.net", "password")]
    public async Task SignUp_WithABadPasswordOrRecoveryEmail_FailsOnThatField_AndCreatesNothing(string password, string recovery, string field)
    {
        var result = await _h.Accounts().SignUpAsync("ann@example.com", password, recovery, Contexts.Home);

        Assert.False(result.IsSuccess);
        Assert.Equal(field, Assert.Single(result.Error.Fields).Field);
        Assert.Equal(0, _h.Query(db => db.Set<UserAccount>().Count()));
        Assert.Empty(_h.AllOutbox());
    }
}
