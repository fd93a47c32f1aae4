using Hosting.Core.Accounts;
using Hosting.Core.Mailboxes;
using Hosting.Core.Notifications;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>Changing a mailbox password and unifying it with the account's (MBX-3, MBX-4, MBX-5, MBX-7).</summary>
public sealed class MailboxPasswordTests : IDisposable
{
    private const string Shared = "one shared secret 7";
    private const string NewMailboxPassword = "brand new mailbox secret 3";
    private readonly MailboxWorld _w = new();

    public void Dispose() => _w.Dispose();

    private Task<Result<(Mailbox Mailbox, UnificationReport Report)>> ChangeAsync(AuthenticatedUser who, Mailbox mailbox, string? newPassword, bool accept = false, string? current = null) =>
        _w.Mailboxes.ChangePasswordAsync(who, _w.OrganizationId, mailbox.Id, newPassword, accept, current, Contexts.Home);

    private Task<Result<Mailbox>> AcceptAsync(AuthenticatedUser who, Mailbox mailbox, string? mailboxPassword, string? current) =>
        _w.Mailboxes.AcceptUnificationAsync(who, _w.OrganizationId, mailbox.Id, mailboxPassword, current, Contexts.Home);

    private bool PasswordChangeNoticeSentTo(string login) =>
        _w.H.Outbox().Any(m => m.Kind == NotificationKinds.PasswordChanged && m.Recipient == login);

    [Fact]
    [Trait("Rule", "MBX-3")]
    public async Task ChangePassword_WithAWeakNewPassword_IsRefused_AndTheOldOneStays()
    {
        await _w.SetUpAsync();
        var mailbox = await _w.MailboxAsync("info");

        var error = ResultAssert.Fails(await ChangeAsync(_w.Owner, mailbox, "short"), "PASSWORD_TOO_SHORT");
        ResultAssert.Fails(await ChangeAsync(_w.Owner, mailbox, _w.Address("info")), "PASSWORD_EQUALS_LOGIN");

        Assert.Equal("new_password", Assert.Single(error.Fields).Field);
        Assert.True(await _w.MailAppSignsInAsync("info", MailboxWorld.MailboxPassword));
    }

    [Fact]
    [Trait("Rule", "MBX-3")]
    public async Task ChangePassword_ByAMemberWhoseAccessIncludesTheMailService_Succeeds()
    {
        await _w.SetUpAsync();
        var mailbox = await _w.MailboxAsync("info");
        var mail = await _w.MailMemberAsync("mail@example.com");
        var before = _w.Stored(mailbox.Id).PasswordHash;

        var changed = (await ChangeAsync(mail, mailbox, NewMailboxPassword)).Value;

        Assert.NotEqual(before, _w.Stored(mailbox.Id).PasswordHash);
        Assert.Equal(mailbox.Id, changed.Mailbox.Id);
        Assert.False(await _w.MailAppSignsInAsync("info", MailboxWorld.MailboxPassword));
        Assert.True(await _w.MailAppSignsInAsync("info", NewMailboxPassword));
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task ChangePassword_AsksOtherAccountsPasswordLinksForTheNewPassword_NotRightsLinksNorTheChangersOwn()
    {
        await _w.SetUpAsync();
        var info = await _w.MailboxAsync("info");
        var outsider = await _w.H.UserAsync("outsider@example.com");
        var mail = await _w.MailMemberAsync("mail@example.com");
        await _w.LinkAsync(outsider, "info", MailboxWorld.MailboxPassword);
        await _w.LinkAsync(mail, "info", MailboxWorld.MailboxPassword);
        await _w.LinkAsync(_w.Owner, "info");

        Assert.True((await ChangeAsync(mail, info, NewMailboxPassword)).IsSuccess);

        Assert.True(_w.LinkOf(outsider.AccountId, info.Id).NeedsReconfirmation);
        Assert.False(_w.LinkOf(mail.AccountId, info.Id).NeedsReconfirmation);
        Assert.False(_w.LinkOf(_w.Owner.AccountId, info.Id).NeedsReconfirmation);
        ResultAssert.Fails(await _w.Mailboxes.ReconfirmWebmailAsync(outsider, _w.Address("info"), MailboxWorld.MailboxPassword), "INVALID_CREDENTIALS");
        Assert.True((await _w.Mailboxes.ReconfirmWebmailAsync(outsider, _w.Address("info"), NewMailboxPassword)).IsSuccess);
        Assert.False(_w.LinkOf(outsider.AccountId, info.Id).NeedsReconfirmation);
    }

    [Fact]
    [Trait("Rule", "MBX-5")]
    public async Task AnOfferedUnification_NotAccepted_ChangesOnlyTheMailbox_WithoutTheAccountPassword()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnificationOfferedAsync();
        var accountHash = _w.AccountHash(julie.AccountId);

        var report = (await ChangeAsync(julie, mailbox, NewMailboxPassword)).Value.Report;

        Assert.True(report.Offered);
        Assert.False(report.Unified);
        Assert.Empty(report.FailedConditions);
        Assert.Null(_w.Stored(mailbox.Id).UnifiedAccountId);
        Assert.Equal(accountHash, _w.AccountHash(julie.AccountId));
        Assert.True(await _w.MailAppSignsInAsync("julie", NewMailboxPassword));
        Assert.DoesNotContain(ActivityKind.PasswordUnified, _w.Activity(julie.AccountId));
    }

    [Fact]
    [Trait("Rule", "MBX-5")]
    public async Task EveryFailedCondition_IsReported_InOrder()
    {
        await _w.SetUpAsync();
        var mailbox = await _w.MailboxAsync("info");
        var outsider = await _w.H.UserAsync("outsider@example.com");
        await _w.LinkAsync(outsider, "info", MailboxWorld.MailboxPassword);
        await _w.LinkAsync(_w.Owner, "info");

        var report = (await ChangeAsync(_w.Owner, mailbox, NewMailboxPassword, accept: true)).Value.Report;

        Assert.False(report.Offered);
        Assert.Equal([UnificationConditions.AccountLogin, UnificationConditions.OnlyLinkedAccount], report.FailedConditions);
        Assert.Null(_w.Stored(mailbox.Id).UnifiedAccountId);
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    public async Task AcceptingUnification_WithoutTheCurrentAccountPassword_IsRefused_AndChangesNothing()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnificationOfferedAsync();
        var accountHash = _w.AccountHash(julie.AccountId);
        var mailboxHash = _w.Stored(mailbox.Id).PasswordHash;

        ResultAssert.Fails(await ChangeAsync(julie, mailbox, "stolen session secret 5", accept: true), "WRONG_PASSWORD");
        ResultAssert.Fails(await ChangeAsync(julie, mailbox, "stolen session secret 5", accept: true, current: Passwords.Other), "WRONG_PASSWORD");
        ResultAssert.Fails(await AcceptAsync(julie, mailbox, MailboxWorld.MailboxPassword, null), "WRONG_PASSWORD");

        Assert.Null(_w.Stored(mailbox.Id).UnifiedAccountId);
        Assert.Equal(mailboxHash, _w.Stored(mailbox.Id).PasswordHash);
        Assert.Equal(accountHash, _w.AccountHash(julie.AccountId));
        Assert.True(_w.SessionOpen(julie));
        Assert.DoesNotContain(ActivityKind.PasswordUnified, _w.Activity(julie.AccountId));
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    [Trait("Rule", "ACC-13")]
    public async Task AWrongCurrentPassword_WhenAcceptingUnification_CountsAsAFailedSignIn()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnificationOfferedAsync();

        for (var i = 0; i < _w.H.Options.Throttle.FreeAttempts; i++)
        {
            ResultAssert.Fails(await ChangeAsync(julie, mailbox, "stolen session secret 5", accept: true, current: $"guess number {i} here"), "WRONG_PASSWORD");
        }

        ResultAssert.Fails(await _w.H.Accounts().SignInAsync(_w.Address("julie"), Passwords.Good, null, null, Contexts.Home), "SIGN_IN_THROTTLED");
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    [Trait("Rule", "ACC-9")]
    public async Task AcceptingUnification_SetsTheAccountPassword_AsAPasswordChangeDoes()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnificationOfferedAsync();
        await _w.MailboxAsync("info");
        await _w.LinkAsync(julie, "info", MailboxWorld.MailboxPassword);
        var other = await _w.SessionAsync(_w.Address("julie"), Passwords.Good);

        var changed = (await ChangeAsync(julie, mailbox, Shared, accept: true, current: Passwords.Good)).Value;

        Assert.True(changed.Report.Unified);
        Assert.Equal(julie.AccountId, _w.Stored(mailbox.Id).UnifiedAccountId);
        Assert.Equal(_w.Stored(mailbox.Id).PasswordHash, _w.AccountHash(julie.AccountId));
        Assert.True(_w.SessionOpen(julie));
        Assert.False(_w.SessionOpen(other));
        Assert.True(PasswordChangeNoticeSentTo(_w.Address("julie")));
        Assert.Contains(ActivityKind.PasswordUnified, _w.Activity(julie.AccountId));
        Assert.Contains(ActivityKind.PasswordChanged, _w.Activity(julie.AccountId));
        // Her other mailbox was linked with its own password: the account's changed, so webmail asks for it again.
        Assert.False(_w.LinkOf(julie.AccountId, mailbox.Id).NeedsReconfirmation);
        Assert.True(_w.LinksOf(julie.AccountId).Single(l => l.MailboxId != mailbox.Id).NeedsReconfirmation);
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    public async Task AUnifiedMailboxPasswordChange_NeedsTheCurrentAccountPassword_AndChangesBoth()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnifiedAsync(Shared);

        ResultAssert.Fails(await ChangeAsync(julie, mailbox, "stolen session secret 5"), "WRONG_PASSWORD");
        Assert.True(await _w.MailAppSignsInAsync("julie", Shared));

        var other = await _w.SessionAsync(_w.Address("julie"), Shared);
        var changed = (await ChangeAsync(julie, mailbox, NewMailboxPassword, current: Shared)).Value;

        Assert.True(changed.Report.Unified);
        Assert.False(_w.SessionOpen(other));
        Assert.True(await _w.AccountSignsInAsync(_w.Address("julie"), NewMailboxPassword));
        Assert.True(await _w.MailAppSignsInAsync("julie", NewMailboxPassword));
        Assert.Equal(julie.AccountId, _w.Stored(mailbox.Id).UnifiedAccountId);
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    public async Task AUnifiedMailboxPasswordChangedByAnAdministrator_EndsUnification_AndLeavesTheAccountPassword()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnifiedAsync(Shared);

        var report = (await ChangeAsync(_w.Owner, mailbox, NewMailboxPassword)).Value.Report;

        Assert.False(report.Unified);
        Assert.Null(_w.Stored(mailbox.Id).UnifiedAccountId);
        Assert.Contains(ActivityKind.UnificationEnded, _w.Activity(julie.AccountId));
        Assert.True(await _w.AccountSignsInAsync(_w.Address("julie"), Shared));
        Assert.True(await _w.MailAppSignsInAsync("julie", NewMailboxPassword));
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    public async Task RemovingAUnifiedMailboxFromTheAccountsWebmail_EndsUnificationAtOnce_AndTheMailboxThenChangesAlone()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnifiedAsync(Shared);

        Assert.True((await _w.Mailboxes.UnlinkWebmailAsync(julie, _w.Address("julie"), Contexts.Home)).IsSuccess);

        Assert.Null(_w.Stored(mailbox.Id).UnifiedAccountId);
        Assert.Contains(ActivityKind.UnificationEnded, _w.Activity(julie.AccountId));
        await _w.LinkAsync(julie, "julie", Shared);
        Assert.Null(_w.Stored(mailbox.Id).UnifiedAccountId);
        var report = (await ChangeAsync(julie, mailbox, NewMailboxPassword)).Value.Report;
        Assert.True(report.Offered);
        Assert.Null(_w.Stored(mailbox.Id).UnifiedAccountId);
        Assert.True(await _w.AccountSignsInAsync(_w.Address("julie"), Shared));
        Assert.True(await _w.MailAppSignsInAsync("julie", NewMailboxPassword));
    }

    [Fact]
    [Trait("Rule", "MBX-5")]
    public async Task ConditionB_Fails_WhenTheOnlyWebmailLinkIsAnotherAccounts()
    {
        await _w.SetUpAsync();
        var mailbox = await _w.MailboxAsync("julie");
        var julie = await _w.MailMemberAsync(_w.Address("julie"));
        await _w.LinkAsync(await _w.H.UserAsync("outsider@example.com"), "julie", MailboxWorld.MailboxPassword);

        var report = (await ChangeAsync(julie, mailbox, NewMailboxPassword, accept: true, current: Passwords.Good)).Value.Report;

        Assert.Equal([UnificationConditions.OnlyLinkedAccount], report.FailedConditions);
        Assert.False(report.Unified);
        Assert.Null(_w.Stored(mailbox.Id).UnifiedAccountId);
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    [Trait("Rule", "MBX-5")]
    public async Task AcceptUnification_WhenNotOffered_IsRefused_WithEachFailedCondition()
    {
        await _w.SetUpAsync();
        var mailbox = await _w.MailboxAsync("info");

        var error = ResultAssert.Fails(await AcceptAsync(_w.Owner, mailbox, MailboxWorld.MailboxPassword, Passwords.Good), "UNIFICATION_NOT_OFFERED");

        Assert.Equal([UnificationConditions.AccountLogin, UnificationConditions.OnlyLinkedAccount], error.Preconditions.Select(p => p.Type));
        Assert.Null(_w.Stored(mailbox.Id).UnifiedAccountId);
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    public async Task AcceptUnification_WithAWrongMailboxPassword_IsRefused_AndChangesNothing()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnificationOfferedAsync();
        var accountHash = _w.AccountHash(julie.AccountId);

        ResultAssert.Fails(await AcceptAsync(julie, mailbox, "wrong mailbox password", Passwords.Good), "INVALID_CREDENTIALS");
        ResultAssert.Fails(await AcceptAsync(julie, mailbox, null, Passwords.Good), "INVALID_CREDENTIALS");

        Assert.Null(_w.Stored(mailbox.Id).UnifiedAccountId);
        Assert.Equal(accountHash, _w.AccountHash(julie.AccountId));
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    [Trait("Rule", "ACC-9")]
    public async Task AcceptUnification_GivesTheAccountTheMailboxPassword_AndEndsItsOtherSessions()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnificationOfferedAsync();
        var other = await _w.SessionAsync(_w.Address("julie"), Passwords.Good);

        var accepted = await AcceptAsync(julie, mailbox, MailboxWorld.MailboxPassword, Passwords.Good);

        Assert.Equal(julie.AccountId, accepted.Value.UnifiedAccountId);
        Assert.Equal(julie.AccountId, _w.Stored(mailbox.Id).UnifiedAccountId);
        Assert.True(await _w.AccountSignsInAsync(_w.Address("julie"), MailboxWorld.MailboxPassword));
        Assert.False(await _w.AccountSignsInAsync(_w.Address("julie"), Passwords.Good));
        Assert.False(_w.SessionOpen(other));
        Assert.True(_w.SessionOpen(julie));
        Assert.Contains(ActivityKind.PasswordUnified, _w.Activity(julie.AccountId));
        Assert.True(PasswordChangeNoticeSentTo(_w.Address("julie")));
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    [Trait("Rule", "ACC-9")]
    public async Task AnAccountPasswordChange_KeepsItsUnifiedMailboxConfirmed_AndAsksForEveryOtherMailboxPassword()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnifiedAsync(Shared);
        var info = await _w.MailboxAsync("info");
        await _w.LinkAsync(julie, "info", MailboxWorld.MailboxPassword);

        Assert.True((await _w.H.Accounts().ChangePasswordAsync(julie, Shared, NewMailboxPassword, null, Contexts.Home)).IsSuccess);

        Assert.False(_w.LinkOf(julie.AccountId, mailbox.Id).NeedsReconfirmation);
        Assert.True(_w.LinkOf(julie.AccountId, info.Id).NeedsReconfirmation);
        Assert.True(await _w.MailAppSignsInAsync("julie", NewMailboxPassword));
        Assert.True(await _w.MailAppSignsInAsync("info", MailboxWorld.MailboxPassword));
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    public async Task AfterTheAccountRemovedItsUnifiedMailboxFromWebmail_AnAccountPasswordChange_LeavesTheMailboxPassword()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnifiedAsync(Shared);
        Assert.True((await _w.Mailboxes.UnlinkWebmailAsync(julie, _w.Address("julie"), Contexts.Home)).IsSuccess);

        Assert.True((await _w.H.Accounts().ChangePasswordAsync(julie, Shared, NewMailboxPassword, null, Contexts.Home)).IsSuccess);

        Assert.Null(_w.Stored(mailbox.Id).UnifiedAccountId);
        Assert.Single(_w.Activity(julie.AccountId), k => k == ActivityKind.UnificationEnded);
        Assert.True(await _w.MailAppSignsInAsync("julie", Shared));
        Assert.False(await _w.MailAppSignsInAsync("julie", NewMailboxPassword));
    }
}
