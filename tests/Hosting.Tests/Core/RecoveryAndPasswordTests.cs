using Hosting.Core.Accounts;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class RecoveryAndPasswordTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static string TokenFrom(Hosting.Core.Notifications.OutboxMessage message) =>
        message.Body.Split("once): ")[1].Split('\n')[0].Trim();

    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    /// <summary>Asks for a reset and lets the issuer handle it; returns the token mailed, if one was.</summary>
    private async Task<string?> RequestResetAsync(string login = "ann@example.com")
    {
        var before = _h.Outbox().Count(m => m.Kind == NotificationKinds.PasswordReset);
        Assert.True((await _h.Accounts().RequestPasswordResetAsync(login, Contexts.Home)).IsSuccess);
        await _h.IssuePasswordResetsAsync();
        var mailed = _h.Outbox().Where(m => m.Kind == NotificationKinds.PasswordReset).ToList();
        return mailed.Count > before ? TokenFrom(mailed[^1]) : null;
    }

    private List<Hosting.Core.Notifications.OutboxMessage> Mail(string kind) => _h.Outbox().Where(m => m.Kind == kind).ToList();

    private int Logged(ActivityKind kind) => _h.Query(db => db.Set<ActivityEntry>().Count(e => e.Kind == kind));

    private async Task<AuthenticatedUser> SignedInUserAsync(string password = Passwords.Good)
    {
        var session = await _h.SignInAsync(password: password);
        return (await _h.Accounts().AuthenticateAsync(session.Token)).Value;
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task ChangingTheRecoveryEmail_NeedsTheCurrentPassword()
    {
        await _h.SignUpAsync();
        var user = await SignedInUserAsync();

        var refused = await _h.Accounts().UpdateRecoveryEmailAsync(user, Passwords.Other, "ann.backup@example.net", null, Contexts.Home);
        ResultAssert.Fails(refused, "WRONG_PASSWORD");
        Assert.Null(_h.Query(db => db.Set<UserAccount>().Single().RecoveryEmail));

        var changed = await _h.Accounts().UpdateRecoveryEmailAsync(user, Passwords.Good, "Ann.Backup@example.net", null, Contexts.Home);
        Assert.Equal("ann.backup@example.net", changed.Value.RecoveryEmail?.Value);
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task ResetRequest_SendsASingleUseTokenToTheRecoveryEmail()
    {
        await _h.SignUpAsync(recovery: "ann.backup@example.net");

        Assert.True((await _h.Accounts().RequestPasswordResetAsync("ann@example.com", Contexts.Home)).IsSuccess);
        await _h.IssuePasswordResetsAsync();

        var message = Assert.Single(_h.Outbox());
        Assert.Equal("ann.backup@example.net", message.Recipient);
        var token = TokenFrom(message);
        Assert.Equal(Secrets.Digest(token), _h.Query(db => db.Set<PasswordResetToken>().Single().TokenDigest));
        Assert.True((await _h.Accounts().ResetPasswordAsync(token, Passwords.Other, Contexts.Home)).IsSuccess);
        ResultAssert.Fails(await _h.Accounts().ResetPasswordAsync(token, "another fine password", Contexts.Home), "RESET_TOKEN_USED");
        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Other, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task ResetRequest_ForAnUnknownLogin_LooksTheSame_AndSendsNothing()
    {
        await _h.SignUpAsync();

        var unknown = await _h.Accounts().RequestPasswordResetAsync("nobody@example.com", Contexts.Home);
        var known = await _h.Accounts().RequestPasswordResetAsync("ann@example.com", Contexts.Home);
        await _h.IssuePasswordResetsAsync();

        Assert.Equal(known.IsSuccess, unknown.IsSuccess);
        Assert.Equal(known.Error, unknown.Error);
        Assert.Equal(["ann@example.com"], _h.Outbox().Select(m => m.Recipient));
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task ResetToken_Expires()
    {
        await _h.SignUpAsync();
        await _h.Accounts().RequestPasswordResetAsync("ann@example.com", Contexts.Home);
        await _h.IssuePasswordResetsAsync();
        var token = TokenFrom(Assert.Single(_h.Outbox()));

        _h.Clock.Advance(_h.Options.ResetTokenLifetime);

        var error = ResultAssert.Fails(await _h.Accounts().ResetPasswordAsync(token, Passwords.Other, Contexts.Home), "RESET_TOKEN_EXPIRED");
        Assert.Equal(ErrorKind.FailedPrecondition, error.Kind);
        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task Reset_EndsEverySession()
    {
        await _h.SignUpAsync();
        var first = await _h.SignInAsync();
        var second = await _h.SignInAsync();
        await _h.Accounts().RequestPasswordResetAsync("ann@example.com", Contexts.Home);
        await _h.IssuePasswordResetsAsync();

        await _h.Accounts().ResetPasswordAsync(TokenFrom(Assert.Single(_h.Outbox())), Passwords.Other, Contexts.Home);

        ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(first.Token), "SESSION_INVALID");
        ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(second.Token), "SESSION_INVALID");
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task Reset_WithAWeakPassword_FailsAndKeepsTheTokenUsable()
    {
        await _h.SignUpAsync();
        await _h.Accounts().RequestPasswordResetAsync("ann@example.com", Contexts.Home);
        await _h.IssuePasswordResetsAsync();
        var token = TokenFrom(Assert.Single(_h.Outbox()));

        ResultAssert.Fails(await _h.Accounts().ResetPasswordAsync(token, "password", Contexts.Home), "PASSWORD_TOO_COMMON");

        Assert.True((await _h.Accounts().ResetPasswordAsync(token, Passwords.Other, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task Reset_VoidsEveryOtherOpenToken()
    {
        // Two open tokens at once happen only when requests race; the reset still voids the other.
        var account = await _h.SignUpAsync();
        using (var db = _h.NewDb())
        {
            db.Add(PasswordResetToken.Issue(Guid.NewGuid(), account.Id, Secrets.Digest("token-one"), _h.Clock.GetUtcNow(), _h.Options.ResetTokenLifetime));
            db.Add(PasswordResetToken.Issue(Guid.NewGuid(), account.Id, Secrets.Digest("token-two"), _h.Clock.GetUtcNow(), _h.Options.ResetTokenLifetime));
            await db.SaveChangesAsync();
        }

        Assert.True((await _h.Accounts().ResetPasswordAsync("token-two", Passwords.Other, Contexts.Home)).IsSuccess);

        ResultAssert.Fails(await _h.Accounts().ResetPasswordAsync("token-one", Passwords.Good, Contexts.Home), "RESET_TOKEN_USED");
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task Reset_WithATokenNeverIssued_IsInvalid()
    {
        await _h.SignUpAsync();

        ResultAssert.Fails(await _h.Accounts().ResetPasswordAsync("forged-token", Passwords.Other, Contexts.Home), "RESET_TOKEN_INVALID");
    }

    [Fact]
    [Trait("Rule", "ACC-9")]
    public async Task ChangePassword_NeedsTheCurrentOne_AndEndsOnlyTheOtherSessions()
    {
        await _h.SignUpAsync();
        var other = await _h.SignInAsync();
        var current = await _h.SignInAsync();
        var user = (await _h.Accounts().AuthenticateAsync(current.Token)).Value;

        ResultAssert.Fails(await _h.Accounts().ChangePasswordAsync(user, Passwords.Other, Passwords.Other, null, Contexts.Home), "WRONG_PASSWORD");
        var changed = await _h.Accounts().ChangePasswordAsync(user, Passwords.Good, Passwords.Other, null, Contexts.Home);

        Assert.Equal(1, changed.Value.RevokedSessions);
        ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(other.Token), "SESSION_INVALID");
        Assert.True((await _h.Accounts().AuthenticateAsync(current.Token)).IsSuccess);
        ResultAssert.Fails(await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home), "INVALID_CREDENTIALS");
    }

    [Fact]
    [Trait("Rule", "API-4")]
    public async Task ChangePassword_WithAStaleEtag_IsAbortedAndChangesNothing()
    {
        await _h.SignUpAsync();
        var user = await SignedInUserAsync();
        var stale = (await _h.Accounts().GetAccountAsync(user)).Value.ETag;
        await _h.Accounts().UpdateRecoveryEmailAsync(user, Passwords.Good, "ann.backup@example.net", stale, Contexts.Home);

        var result = await _h.Accounts().ChangePasswordAsync(user, Passwords.Good, Passwords.Other, stale, Contexts.Home);

        Assert.Equal(ErrorKind.Aborted, ResultAssert.Fails(result, "ETAG_MISMATCH").Kind);
        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task RevokeOtherSessions_KeepsOnlyTheCallingOne()
    {
        await _h.SignUpAsync();
        await _h.SignInAsync();
        await _h.SignInAsync();
        var user = await SignedInUserAsync();

        var revoked = await _h.Accounts().RevokeOtherSessionsAsync(user, Contexts.Home);

        Assert.Equal(2, revoked.Value);
        var open = (await _h.Accounts().ListSessionsAsync(user, 0, null)).Value.Items;
        Assert.Equal(user.SessionId, Assert.Single(open).Id);
    }

    [Fact]
    [Trait("Rule", "ACC-13")]
    [Trait("Rule", "ACC-8")]
    public async Task ChangePassword_TellsTheLogin_LogsIt_AndVoidsOpenResetTokens()
    {
        await _h.SignUpAsync();
        var token = await RequestResetAsync();
        var user = await SignedInUserAsync();

        Assert.True((await _h.Accounts().ChangePasswordAsync(user, Passwords.Good, Passwords.Other, null, Contexts.Travel)).IsSuccess);

        var notice = Assert.Single(Mail(NotificationKinds.PasswordChanged));
        Assert.Equal("ann@example.com", notice.Recipient);
        Assert.Contains("address 198.51.100.20", notice.Body, StringComparison.Ordinal);
        Assert.Equal(1, Logged(ActivityKind.PasswordChanged));
        ResultAssert.Fails(await _h.Accounts().ResetPasswordAsync(token, "another fine password", Contexts.Home), "RESET_TOKEN_USED");
    }

    [Fact]
    [Trait("Rule", "ACC-9")]
    public async Task ChangePassword_ToAWeakOne_FailsOnTheNewPassword_AndChangesNothing()
    {
        await _h.SignUpAsync();
        await _h.SignInAsync();
        var user = await SignedInUserAsync();

        var error = ResultAssert.Fails(await _h.Accounts().ChangePasswordAsync(user, Passwords.Good, "qwertyuiop", null, Contexts.Home), "PASSWORD_TOO_COMMON");

        Assert.Equal("new_password", Assert.Single(error.Fields).Field);
        Assert.Empty(Mail(NotificationKinds.PasswordChanged));
        Assert.Equal(0, Logged(ActivityKind.PasswordChanged));
        Assert.Equal(2, (await _h.Accounts().ListSessionsAsync(user, 0, null)).Value.Items.Count);
        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-13")]
    [Trait("Rule", "ACC-4")]
    public async Task WrongOrMissingCurrentPassword_CountsAsAFailedSignIn_UntilEvenTheRightOneWaits()
    {
        await _h.SignUpAsync();
        var user = await SignedInUserAsync();
        var policy = _h.Options.Throttle;

        ResultAssert.Fails(await _h.Accounts().ChangePasswordAsync(user, null, Passwords.Other, null, Contexts.Travel), "WRONG_PASSWORD");
        for (var i = 1; i < policy.FreeAttempts; i++)
        {
            var wrong = ResultAssert.Fails(await _h.Accounts().UpdateRecoveryEmailAsync(user, Passwords.Other, "ann.backup@example.net", null, Contexts.Travel), "WRONG_PASSWORD");
            Assert.Equal(ErrorKind.PermissionDenied, wrong.Kind);
            Assert.Equal("current_password", Assert.Single(wrong.Fields).Field);
        }

        ResultAssert.Fails(await _h.Accounts().ChangePasswordAsync(user, Passwords.Good, Passwords.Other, null, Contexts.Home), "SIGN_IN_THROTTLED");
        ResultAssert.Fails(await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home), "SIGN_IN_THROTTLED");
        var failures = _h.Query(db => db.Set<ActivityEntry>().Where(e => e.Kind == ActivityKind.SignInFailed).ToList());
        Assert.Equal(policy.FreeAttempts, failures.Count);
        Assert.All(failures, e => Assert.Equal("198.51.100.20", e.IpAddress));
        Assert.Null(_h.Query(db => db.Set<UserAccount>().Single().RecoveryEmail));
    }

    [Fact]
    [Trait("Rule", "ACC-13")]
    public async Task RecoveryEmailChange_TellsTheLoginTheOldAndTheNewAddress_OnceEach()
    {
        await _h.SignUpAsync(recovery: "old@example.net");
        var user = await SignedInUserAsync();

        await _h.Accounts().UpdateRecoveryEmailAsync(user, Passwords.Good, "new@example.net", null, Contexts.Home);

        var told = Mail(NotificationKinds.RecoveryEmailChanged);
        Assert.Equal(["ann@example.com", "new@example.net", "old@example.net"], told.Select(m => m.Recipient).Order());
        Assert.All(told, m => Assert.Contains("from old@example.net to new@example.net", m.Body, StringComparison.Ordinal));
        Assert.Equal(1, Logged(ActivityKind.RecoveryEmailChanged));
    }

    [Fact]
    [Trait("Rule", "ACC-13")]
    public async Task RecoveryEmailCleared_TellsTheLoginAndTheOldAddress()
    {
        await _h.SignUpAsync(recovery: "old@example.net");
        var user = await SignedInUserAsync();

        var cleared = await _h.Accounts().UpdateRecoveryEmailAsync(user, Passwords.Good, " ", null, Contexts.Home);

        Assert.Null(cleared.Value.RecoveryEmail);
        Assert.Null(_h.Query(db => db.Set<UserAccount>().Single().RecoveryEmail));
        var told = Mail(NotificationKinds.RecoveryEmailChanged);
        Assert.Equal(["ann@example.com", "old@example.net"], told.Select(m => m.Recipient).Order());
        Assert.Contains("to none.", told[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ACC-13")]
    public async Task RecoveryEmailSetToTheSameAddress_TellsNobody_ButIsLogged()
    {
        await _h.SignUpAsync(recovery: "old@example.net");
        var user = await SignedInUserAsync();

        Assert.True((await _h.Accounts().UpdateRecoveryEmailAsync(user, Passwords.Good, "OLD@example.net", null, Contexts.Home)).IsSuccess);

        Assert.Empty(Mail(NotificationKinds.RecoveryEmailChanged));
        Assert.Equal(1, Logged(ActivityKind.RecoveryEmailChanged));
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task RecoveryEmail_Malformed_FailsOnItsField_BeforeThePasswordIsChecked()
    {
        await _h.SignUpAsync();
        var user = await SignedInUserAsync();

        var result = await _h.Accounts().UpdateRecoveryEmailAsync(user, Passwords.Other, "not-an-email", null, Contexts.Home);

        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorKind.InvalidArgument, result.Error.Kind);
        Assert.Equal("recovery_email", Assert.Single(result.Error.Fields).Field);
        Assert.Equal(0, _h.Query(db => db.Set<LoginThrottle>().Count()));
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task ResetToken_WorksJustBeforeItExpires_TellsTheLogin_AndLogsTheReset()
    {
        await _h.SignUpAsync(recovery: "ann.backup@example.net");
        var token = await RequestResetAsync();

        _h.Clock.Advance(_h.Options.ResetTokenLifetime - Tick);

        Assert.True((await _h.Accounts().ResetPasswordAsync(token, Passwords.Other, Contexts.Home)).IsSuccess);
        var notice = Assert.Single(Mail(NotificationKinds.PasswordChanged));
        Assert.Equal("ann@example.com", notice.Recipient);
        Assert.Contains("sent to ann.backup@example.net", notice.Body, StringComparison.Ordinal);
        Assert.Contains("valid 60 minutes, once", Assert.Single(Mail(NotificationKinds.PasswordReset)).Body, StringComparison.Ordinal);
        Assert.Equal(1, Logged(ActivityKind.PasswordReset));
        Assert.Equal(_h.Clock.GetUtcNow(), _h.Query(db => db.Set<PasswordResetToken>().Single().UsedAt));
    }

    [Theory]
    [Trait("Rule", "ACC-8")]
    [InlineData(null)]
    [InlineData("")]
    public async Task Reset_WithoutAToken_IsInvalid(string? token)
    {
        await _h.SignUpAsync();

        var error = ResultAssert.Fails(await _h.Accounts().ResetPasswordAsync(token, Passwords.Other, Contexts.Home), "RESET_TOKEN_INVALID");

        Assert.Equal("reset_token", Assert.Single(error.Fields).Field);
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    [Trait("Rule", "ACC-4")]
    public async Task Reset_ClearsTheSignInThrottle()
    {
        await _h.SignUpAsync();
        for (var i = 0; i < _h.Options.Throttle.FreeAttempts; i++)
        {
            await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good + "x", null, null, Contexts.Home);
        }

        await _h.Accounts().ResetPasswordAsync(await RequestResetAsync(), Passwords.Other, Contexts.Home);

        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Other, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task NewerResetRequest_VoidsTheOlderToken()
    {
        await _h.SignUpAsync();
        var older = await RequestResetAsync();
        var newer = await RequestResetAsync();

        ResultAssert.Fails(await _h.Accounts().ResetPasswordAsync(older, Passwords.Other, Contexts.Home), "RESET_TOKEN_USED");
        Assert.True((await _h.Accounts().ResetPasswordAsync(newer, Passwords.Other, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task ResetRequests_BeyondTheBudget_SendNothing_UntilTheWindowHasPassed()
    {
        await _h.SignUpAsync();
        for (var i = 0; i < _h.Options.ResetRequestsPerWindow; i++)
        {
            Assert.NotNull(await RequestResetAsync());
        }

        _h.Clock.Advance(_h.Options.ResetRequestWindow - Tick);
        Assert.Null(await RequestResetAsync());
        Assert.Equal(_h.Options.ResetRequestsPerWindow, Logged(ActivityKind.PasswordResetRequested));

        _h.Clock.Advance(Tick);
        Assert.NotNull(await RequestResetAsync());
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    [Trait("Rule", "ACC-12")]
    public async Task ResetRequest_ForAnUnconfirmedLogin_SendsNothing()
    {
        await _h.Accounts().SignUpAsync("new@example.com", Passwords.Good, null, Contexts.Home);

        Assert.Null(await RequestResetAsync("new@example.com"));
        Assert.Equal(0, _h.Query(db => db.Set<PasswordResetToken>().Count()));
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task ResetRequest_WithAMalformedLogin_FailsOnTheLogin_AndQueuesNothing()
    {
        var result = await _h.Accounts().RequestPasswordResetAsync("not-an-email", Contexts.Home);

        Assert.False(result.IsSuccess);
        Assert.Equal("login", Assert.Single(result.Error.Fields).Field);
        Assert.Equal(0, await _h.IssuePasswordResetsAsync());
    }
}
