using Hosting.Core.Accounts;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class SignInTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task SignIn_ReturnsOpaqueToken_StoredOnlyAsDigest_WithExpiry()
    {
        await _h.SignUpAsync();

        var signedIn = await _h.SignInAsync();

        Assert.True(signedIn.Token.Length >= 43, "at least 256 bits, base64url");
        var stored = _h.Query(db => db.Set<Session>().Single());
        Assert.NotEqual(signedIn.Token, stored.TokenDigest);
        Assert.Equal(Secrets.Digest(signedIn.Token), stored.TokenDigest);
        Assert.Equal(AccountsHarness.Start + _h.Options.SessionLifetime, stored.ExpiresAt);
        var user = await _h.Accounts().AuthenticateAsync(signedIn.Token);
        Assert.Equal(signedIn.Account.Id, user.Value.AccountId);
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task Session_StopsWorkingAtExpiry()
    {
        await _h.SignUpAsync();
        var signedIn = await _h.SignInAsync();

        // Used every few hours, so only the absolute lifetime can end it.
        var step = _h.Options.SessionIdleTimeout / 2;
        var end = AccountsHarness.Start + _h.Options.SessionLifetime;
        while (_h.Clock.GetUtcNow() + step < end)
        {
            _h.Clock.Advance(step);
            Assert.True((await _h.Accounts().AuthenticateAsync(signedIn.Token)).IsSuccess);
        }

        _h.Clock.SetUtcNow(end - TimeSpan.FromSeconds(1));
        Assert.True((await _h.Accounts().AuthenticateAsync(signedIn.Token)).IsSuccess);
        _h.Clock.Advance(TimeSpan.FromSeconds(1));

        ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(signedIn.Token), "SESSION_INVALID");
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task Session_UnusedForTheIdleTimeout_StopsWorking_WhileOneInUseKeepsWorking()
    {
        await _h.SignUpAsync();
        var idle = await _h.SignInAsync();
        var busy = await _h.SignInAsync();

        for (var elapsed = TimeSpan.Zero; elapsed < _h.Options.SessionIdleTimeout; elapsed += TimeSpan.FromHours(1))
        {
            _h.Clock.Advance(TimeSpan.FromHours(1));
            Assert.True((await _h.Accounts().AuthenticateAsync(busy.Token)).IsSuccess);
        }

        ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(idle.Token), "SESSION_INVALID");
        var user = await _h.Accounts().AuthenticateAsync(busy.Token);
        Assert.True(user.IsSuccess);
        var listed = await _h.Accounts().ListSessionsAsync(user.Value, 50, null);
        Assert.Equal([busy.Session.Id], listed.Value.Items.Select(s => s.Id));
        var stored = _h.Query(db => db.Set<Session>().Single(s => s.Id == busy.Session.Id));
        Assert.Equal(_h.Clock.GetUtcNow(), stored.LastUsedAt);
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task UnknownLogin_AndWrongPassword_GiveTheSameError()
    {
        await _h.SignUpAsync();

        var wrongPassword = await _h.Accounts().SignInAsync("ann@example.com", Passwords.Other, null, null, Contexts.Home);
        var unknownLogin = await _h.Accounts().SignInAsync("nobody@example.com", Passwords.Other, null, null, Contexts.Home);

        Assert.Equal(wrongPassword.Error, unknownLogin.Error);
        Assert.Equal("INVALID_CREDENTIALS", unknownLogin.Error!.Reason);
        Assert.Equal(ErrorKind.Unauthenticated, unknownLogin.Error.Kind);
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task UnknownLogin_StillPaysForAHashVerification()
    {
        var counting = new CountingHasher(_h.Hasher);

        await _h.Accounts(counting).SignInAsync("nobody@example.com", Passwords.Other, null, null, Contexts.Home);

        Assert.Equal(1, counting.Verifications);
    }

    [Fact]
    [Trait("Rule", "ACC-4")]
    public async Task RepeatedFailures_DelayTheNextAttempt_ThenLockTheLogin()
    {
        await _h.SignUpAsync();
        var policy = _h.Options.Throttle;
        for (var i = 0; i < policy.FreeAttempts; i++)
        {
            ResultAssert.Fails(await _h.Accounts().SignInAsync("ann@example.com", Passwords.Other, null, null, Contexts.Home), "INVALID_CREDENTIALS");
        }

        // Even the right password waits out the delay.
        var throttled = ResultAssert.Fails(await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home), "SIGN_IN_THROTTLED");
        Assert.Equal(ErrorKind.ResourceExhausted, throttled.Kind);
        Assert.Equal(policy.BaseDelay, throttled.RetryAfter);

        for (var i = policy.FreeAttempts; i < policy.LockAfter; i++)
        {
            _h.Clock.Advance(policy.MaxDelay);
            ResultAssert.Fails(await _h.Accounts().SignInAsync("ann@example.com", Passwords.Other, null, null, Contexts.Home), "INVALID_CREDENTIALS");
        }

        _h.Clock.Advance(policy.MaxDelay);
        var locked = ResultAssert.Fails(await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home), "SIGN_IN_LOCKED");
        Assert.Equal(policy.LockDuration - policy.MaxDelay, locked.RetryAfter);

        _h.Clock.Advance(policy.LockDuration);
        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-4")]
    public async Task DelayGrows_WithEachFailureBeyondTheFreeOnes()
    {
        await _h.SignUpAsync();
        var policy = _h.Options.Throttle;
        for (var i = 0; i < policy.FreeAttempts + 1; i++)
        {
            _h.Clock.Advance(policy.MaxDelay);
            await _h.Accounts().SignInAsync("ann@example.com", Passwords.Other, null, null, Contexts.Home);
        }

        var error = ResultAssert.Fails(await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home), "SIGN_IN_THROTTLED");

        Assert.Equal(policy.BaseDelay * 2, error.RetryAfter);
    }

    [Fact]
    [Trait("Rule", "ACC-4")]
    public async Task UnknownLogin_IsThrottledExactlyLikeAKnownOne()
    {
        await _h.SignUpAsync();
        var known = new List<string>();
        var unknown = new List<string>();
        for (var i = 0; i <= _h.Options.Throttle.FreeAttempts; i++)
        {
            known.Add((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Other, null, null, Contexts.Home)).Error!.Reason);
            unknown.Add((await _h.Accounts().SignInAsync("nobody@example.com", Passwords.Other, null, null, Contexts.Home)).Error!.Reason);
        }

        Assert.Equal(known, unknown);
        Assert.Equal("SIGN_IN_THROTTLED", unknown[^1]);
    }

    [Fact]
    [Trait("Rule", "ACC-4")]
    public async Task Success_ResetsTheFailureCounter()
    {
        await _h.SignUpAsync();
        var policy = _h.Options.Throttle;
        for (var i = 0; i < policy.FreeAttempts - 1; i++)
        {
            await _h.Accounts().SignInAsync("ann@example.com", Passwords.Other, null, null, Contexts.Home);
        }

        await _h.SignInAsync();
        for (var i = 0; i < policy.FreeAttempts - 1; i++)
        {
            ResultAssert.Fails(await _h.Accounts().SignInAsync("ann@example.com", Passwords.Other, null, null, Contexts.Home), "INVALID_CREDENTIALS");
        }

        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-4")]
    public async Task ThrottleState_IsKeptInTheStore()
    {
        await _h.SignUpAsync();
        for (var i = 0; i < _h.Options.Throttle.FreeAttempts; i++)
        {
            await _h.Accounts().SignInAsync("ann@example.com", Passwords.Other, null, null, Contexts.Home);
        }

        var row = _h.Query(db => db.Set<LoginThrottle>().Single());

        Assert.Equal(_h.Options.Throttle.FreeAttempts, row.Failures);
        Assert.Equal(Secrets.Digest("ann@example.com"), row.LoginDigest);
    }

    [Fact]
    [Trait("Rule", "ACC-5")]
    public async Task SignIn_FromTheDeviceAndNetworkThatCreatedTheAccount_QueuesNoAlert()
    {
        await _h.SignUpAsync(context: Contexts.Home);

        await _h.SignInAsync(context: Contexts.HomeOtherAddressSameBlock);

        Assert.Empty(_h.Outbox());
        Assert.Equal(0, _h.Query(db => db.Set<ActivityEntry>().Count(e => e.Kind == ActivityKind.NewLocationSignIn)));
    }

    [Theory]
    [Trait("Rule", "ACC-5")]
    [InlineData("travel")]
    [InlineData("new-device")]
    public async Task SignIn_FromANewNetworkOrDevice_QueuesOneAlertToTheLogin_AndLogsIt(string where)
    {
        var context = where == "travel" ? Contexts.Travel : Contexts.NewDevice;
        await _h.SignUpAsync(context: Contexts.Home);

        await _h.SignInAsync(context: context);
        await _h.SignInAsync(context: context);

        var alert = Assert.Single(_h.Outbox());
        Assert.Equal(NotificationKinds.NewLocationSignIn, alert.Kind);
        Assert.Equal("ann@example.com", alert.Recipient);
        Assert.Equal(1, _h.Query(db => db.Set<ActivityEntry>().Count(e => e.Kind == ActivityKind.NewLocationSignIn)));
    }

    [Fact]
    [Trait("Rule", "ACC-5")]
    public async Task FailedSignIn_FromANewDevice_DoesNotMakeItKnown()
    {
        await _h.SignUpAsync(context: Contexts.Home);
        await _h.Accounts().SignInAsync("ann@example.com", Passwords.Other, null, null, Contexts.NewDevice);

        await _h.SignInAsync(context: Contexts.NewDevice);

        Assert.Single(_h.Outbox());
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task SignOut_EndsOnlyTheCallingSession()
    {
        await _h.SignUpAsync();
        var first = await _h.SignInAsync();
        var second = await _h.SignInAsync();
        var user = (await _h.Accounts().AuthenticateAsync(first.Token)).Value;

        await _h.Accounts().SignOutAsync(user, Contexts.Home);

        ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(first.Token), "SESSION_INVALID");
        Assert.True((await _h.Accounts().AuthenticateAsync(second.Token)).IsSuccess);
    }
}
