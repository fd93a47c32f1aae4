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
}
