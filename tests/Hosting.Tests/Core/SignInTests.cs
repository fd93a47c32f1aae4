using Hosting.Core.Accounts;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class SignInTests : IDisposable
{
    private const string LoneSurrogate = "<lone surrogate>";
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private Task<Result<SignedIn>> SignInAsync(string password, SignInContext? context = null) =>
        _h.Accounts().SignInAsync("ann@example.com", password, null, null, context ?? Contexts.Home);

    /// <summary>Fails <paramref name="count"/> sign-ins in a row, each once the delay before it has run out.</summary>
    private async Task FailAsync(int count, TimeSpan between)
    {
        for (var i = 0; i < count; i++)
        {
            _h.Clock.Advance(between);
            ResultAssert.Fails(await SignInAsync(Passwords.Other), "INVALID_CREDENTIALS");
        }
    }

    private int StoredFailures() => _h.Query(db => db.Set<LoginThrottle>().Single().Failures);

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

    [Theory]
    [Trait("Rule", "ACC-3")]
    [InlineData("not-a-login", Passwords.Good, "login", null)]
    [InlineData("ann@example.com", null, "password", "PASSWORD_REQUIRED")]
    [InlineData("ann@example.com", "", "password", "PASSWORD_REQUIRED")]
    [InlineData("ann@example.com", LoneSurrogate, "password", "PASSWORD_INVALID_TEXT")]
    public async Task SignIn_WithMalformedInput_FailsOnItsField_AndCountsNoFailure(string login, string? password, string field, string? reason)
    {
        await _h.SignUpAsync();
        // Theory data are serialized, which a lone surrogate would not survive: it is put in here.
        var typed = password == LoneSurrogate ? "violet\ud800harbour" : password;

        var result = await _h.Accounts().SignInAsync(login, typed, null, null, Contexts.Home);

        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorKind.InvalidArgument, result.Error.Kind);
        Assert.Equal(field, Assert.Single(result.Error.Fields).Field);
        if (reason is not null)
        {
            Assert.Equal(reason, result.Error.Reason);
        }

        Assert.Equal(0, _h.Query(db => db.Set<LoginThrottle>().Count()));
    }

    [Fact]
    [Trait("Rule", "ACC-4")]
    public async Task Delay_EndsExactlyWhenTheRetryAfterSays_AndAThrottledAttemptIsNotCounted()
    {
        await _h.SignUpAsync();
        var policy = _h.Options.Throttle;
        await FailAsync(policy.FreeAttempts, TimeSpan.Zero);

        _h.Clock.Advance(policy.BaseDelay - Tick);
        var throttled = ResultAssert.Fails(await SignInAsync(Passwords.Other), "SIGN_IN_THROTTLED");
        Assert.Equal(Tick, throttled.RetryAfter);
        Assert.Equal(policy.FreeAttempts, StoredFailures());

        _h.Clock.Advance(Tick);
        ResultAssert.Fails(await SignInAsync(Passwords.Other), "INVALID_CREDENTIALS");
        Assert.Equal(policy.FreeAttempts + 1, StoredFailures());
    }

    [Fact]
    [Trait("Rule", "ACC-4")]
    public async Task Delay_NeverExceedsTheMaximum()
    {
        await _h.SignUpAsync();
        var policy = _h.Options.Throttle;
        // Enough doublings of the base delay to pass the maximum, still short of the lock.
        var doublings = (int)Math.Ceiling(Math.Log2(policy.MaxDelay / policy.BaseDelay)) + 1;
        Assert.True(policy.FreeAttempts + doublings < policy.LockAfter);
        await FailAsync(policy.FreeAttempts + doublings, policy.MaxDelay);

        var throttled = ResultAssert.Fails(await SignInAsync(Passwords.Good), "SIGN_IN_THROTTLED");

        Assert.Equal(policy.MaxDelay, throttled.RetryAfter);
    }

    [Fact]
    [Trait("Rule", "ACC-4")]
    public async Task Lock_EndsExactlyWhenTheRetryAfterSays_AndCountingStartsAfresh()
    {
        await _h.SignUpAsync();
        var policy = _h.Options.Throttle;
        await FailAsync(policy.LockAfter, policy.MaxDelay);

        _h.Clock.Advance(policy.LockDuration - Tick);
        var locked = ResultAssert.Fails(await SignInAsync(Passwords.Good), "SIGN_IN_LOCKED");
        Assert.Equal(Tick, locked.RetryAfter);

        // The failures before the lock are forgotten: the next ones are free again.
        _h.Clock.Advance(Tick);
        await FailAsync(policy.FreeAttempts - 1, TimeSpan.Zero);
        Assert.Equal(policy.FreeAttempts - 1, StoredFailures());
        Assert.True((await SignInAsync(Passwords.Good)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-4")]
    public async Task FailedSignIn_OnAnAccount_IsLogged_AndOnAnUnknownLoginIsNot()
    {
        var account = await _h.SignUpAsync();

        await SignInAsync(Passwords.Other, Contexts.Travel);
        await _h.Accounts().SignInAsync("nobody@example.com", Passwords.Other, null, null, Contexts.Travel);

        var entry = Assert.Single(_h.Query(db => db.Set<ActivityEntry>().Where(e => e.Kind == ActivityKind.SignInFailed).ToList()));
        Assert.Equal(account.Id, entry.AccountId);
        Assert.Equal("198.51.100.20", entry.IpAddress);
        Assert.Equal(2, _h.Query(db => db.Set<LoginThrottle>().Count()));
    }

    [Fact]
    [Trait("Rule", "ACC-5")]
    public async Task SignIn_WithNothingKnownOfTheClient_CountsAsNew_AndSaysSo()
    {
        await _h.SignUpAsync(context: Contexts.Home);

        await _h.SignInAsync(context: SignInContext.Unknown);

        var alert = Assert.Single(_h.Outbox());
        Assert.Contains("address unknown, device unknown", alert.Body, StringComparison.Ordinal);
        Assert.Equal(1, _h.Query(db => db.Set<ActivityEntry>().Count(e => e.Kind == ActivityKind.NewLocationSignIn)));
    }

    [Fact]
    [Trait("Rule", "ACC-5")]
    public async Task SignIn_FromANewDeviceOnAKnownNetwork_LearnsOnlyTheDevice_AndTheAlertSaysWhenAndWhere()
    {
        var account = await _h.SignUpAsync(context: Contexts.Home);
        _h.Clock.Advance(TimeSpan.FromMinutes(90));

        await _h.SignInAsync(context: Contexts.NewDevice);

        var sources = _h.Query(db => db.Set<KnownSignInSource>().Where(s => s.AccountId == account.Id).ToList());
        Assert.Equal(3, sources.Count);
        var learnt = Assert.Single(sources, s => s.FirstSeenAt == _h.Clock.GetUtcNow());
        Assert.Equal(SignInSourceKind.Device, learnt.Kind);
        Assert.Equal(Secrets.Digest("private-window-7"), learnt.Digest);
        var alert = Assert.Single(_h.Outbox());
        Assert.Equal("New sign-in to your account", alert.Subject);
        Assert.Contains("on 2026-03-01 10:30 UTC", alert.Body, StringComparison.Ordinal);
        Assert.Contains("address 203.0.113.10, device private-window-7", alert.Body, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ACC-5")]
    public async Task Alert_NamesTheUserAgent_WhenTheClientSendsNoDeviceId()
    {
        await _h.SignUpAsync(context: Contexts.Home);

        await _h.SignInAsync(context: SignInContext.Create("198.51.100.20", null, "Safari/18"));

        Assert.Contains("address 198.51.100.20, device Safari/18", Assert.Single(_h.Outbox()).Body, StringComparison.Ordinal);
    }
}
