using Hosting.Core.Accounts;
using Hosting.Core.Mailboxes;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class MailboxTests : IDisposable
{
    private const string Domain = MailboxWorld.Domain;
    private const string MailboxPassword = MailboxWorld.MailboxPassword;
    private readonly MailboxWorld _w = new();

    private AccountsHarness _h => _w.H;

    public void Dispose() => _w.Dispose();

    private sealed record Setup(AuthenticatedUser Owner, Guid OrganizationId, Guid MailServiceId);

    private async Task<Setup> SetUpAsync()
    {
        await _w.SetUpAsync();
        return new Setup(_w.Owner, _w.OrganizationId, _w.MailServiceId);
    }

    private async Task<bool> MailAppSignsInAsync(string address, string password) =>
        (await _h.Mailboxes().CheckCredentialsAsync(address, password)).IsSuccess;

    [Fact]
    [Trait("Rule", "MBX-1")]
    public async Task MailApps_UseTheMailboxPassword_NeverTheAccountPassword()
    {
        var s = await SetUpAsync();
        await _w.MailboxAsync("julie");
        await _h.UserAsync($"julie@{Domain}");

        Assert.True(await MailAppSignsInAsync($"julie@{Domain}", MailboxPassword));
        Assert.False(await MailAppSignsInAsync($"julie@{Domain}", Passwords.Good));
        var unknown = await _h.Mailboxes().CheckCredentialsAsync($"nobody@{Domain}", MailboxPassword);
        var wrong = await _h.Mailboxes().CheckCredentialsAsync($"julie@{Domain}", "wrong password here");
        Assert.Equal(wrong.Error, unknown.Error);
    }

    [Fact]
    [Trait("Rule", "MBX-1")]
    public async Task MailboxCredentialCheck_IsThrottledLikeSignIn()
    {
        var s = await SetUpAsync();
        await _w.MailboxAsync("compta");
        for (var i = 0; i < _h.Options.Throttle.FreeAttempts; i++)
        {
            await _h.Mailboxes().CheckCredentialsAsync($"compta@{Domain}", "wrong password here");
        }

        ResultAssert.Fails(await _h.Mailboxes().CheckCredentialsAsync($"compta@{Domain}", MailboxPassword), "SIGN_IN_THROTTLED");
    }

    [Fact]
    [Trait("Rule", "MBX-2")]
    public async Task Webmail_LinksWithTheMailboxPassword_OrWithRightsOnTheMailService()
    {
        var s = await SetUpAsync();
        await _w.MailboxAsync("compta");
        var stranger = await _h.UserAsync("stranger@example.com");

        ResultAssert.Fails(await _h.Mailboxes().LinkWebmailAsync(stranger, $"compta@{Domain}", null, Contexts.Home), "MAILBOX_PASSWORD_REQUIRED");
        ResultAssert.Fails(await _h.Mailboxes().LinkWebmailAsync(stranger, $"compta@{Domain}", "wrong password here", Contexts.Home), "INVALID_CREDENTIALS");
        Assert.True((await _h.Mailboxes().LinkWebmailAsync(stranger, $"compta@{Domain}", MailboxPassword, Contexts.Home)).IsSuccess);
        Assert.True((await _h.Mailboxes().LinkWebmailAsync(s.Owner, $"compta@{Domain}", null, Contexts.Home)).IsSuccess);

        var webmail = (await _h.Mailboxes().ListWebmailAsync(s.Owner)).Value;
        Assert.Equal($"compta@{Domain}", Assert.Single(webmail).Mailbox.Address.Value);
    }

    [Fact]
    [Trait("Rule", "MBX-3")]
    public async Task ChangingAMailboxPassword_NeedsRightsOnTheMailService_AndTheOldOneFailsEverywhere()
    {
        var s = await SetUpAsync();
        var mailbox = await _w.MailboxAsync("compta");
        var limited = await _w.MemberAsync("helper@example.com", new MemberRights(false, [], false));

        ResultAssert.Fails(await _h.Mailboxes().ChangePasswordAsync(limited, s.OrganizationId, mailbox.Id, "new mailbox secret 1", false, Passwords.Good, Contexts.Home), "MAIL_SERVICE_RIGHTS_REQUIRED");
        Assert.True((await _h.Mailboxes().ChangePasswordAsync(s.Owner, s.OrganizationId, mailbox.Id, "new mailbox secret 1", false, Passwords.Good, Contexts.Home)).IsSuccess);

        Assert.False(await MailAppSignsInAsync($"compta@{Domain}", MailboxPassword));
        Assert.True(await MailAppSignsInAsync($"compta@{Domain}", "new mailbox secret 1"));
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    [Trait("Rule", "MBX-5")]
    public async Task Unification_IsOffered_WhenAllThreeConditionsHold_AndThenBothPasswordsAreOne()
    {
        var s = await SetUpAsync();
        var mailbox = await _w.MailboxAsync("julie", "CALif8-F0u-julie");
        var julie = await _w.MemberAsync($"julie@{Domain}", new MemberRights(false, [s.MailServiceId], false));
        await _h.Mailboxes().LinkWebmailAsync(julie, $"julie@{Domain}", null, Contexts.Home);

        var changed = (await _h.Mailboxes().ChangePasswordAsync(julie, s.OrganizationId, mailbox.Id, "one shared secret 7", acceptUnification: true, Passwords.Good, Contexts.Home)).Value;

        Assert.True(changed.Report.Offered);
        Assert.True(changed.Report.Unified);
        Assert.Empty(changed.Report.FailedConditions);
        Assert.True((await _h.Accounts().SignInAsync($"julie@{Domain}", "one shared secret 7", null, null, Contexts.Home)).IsSuccess);

        // Changing the account password now changes the mailbox password too, and the other way round.
        var session = (await _h.Accounts().SignInAsync($"julie@{Domain}", "one shared secret 7", null, null, Contexts.Home)).Value;
        var user = (await _h.Accounts().AuthenticateAsync(session.Token)).Value;
        await _h.Accounts().ChangePasswordAsync(user, "one shared secret 7", "second shared secret 8", null, Contexts.Home);
        Assert.True(await MailAppSignsInAsync($"julie@{Domain}", "second shared secret 8"));
        await _h.Mailboxes().ChangePasswordAsync(user, s.OrganizationId, mailbox.Id, "third shared secret 9", false, "second shared secret 8", Contexts.Home);
        Assert.True((await _h.Accounts().SignInAsync($"julie@{Domain}", "third shared secret 9", null, null, Contexts.Home)).IsSuccess);
        Assert.Contains(_h.Query(db => db.Set<ActivityEntry>().Where(e => e.AccountId == julie.AccountId).Select(e => e.Kind).ToList()), k => k == ActivityKind.PasswordUnified);
    }

    [Fact]
    [Trait("Rule", "MBX-5")]
    public async Task ConditionA_FailingAlone_IsReported()
    {
        var s = await SetUpAsync();
        var mailbox = await _w.MailboxAsync("compta");
        await _h.Mailboxes().LinkWebmailAsync(s.Owner, $"compta@{Domain}", null, Contexts.Home);

        var report = (await _h.Mailboxes().ChangePasswordAsync(s.Owner, s.OrganizationId, mailbox.Id, "new mailbox secret 1", acceptUnification: true, Passwords.Good, Contexts.Home)).Value.Report;

        Assert.False(report.Offered);
        Assert.False(report.Unified);
        Assert.Equal([UnificationConditions.AccountLogin], report.FailedConditions);
        Assert.True((await _h.Accounts().SignInAsync(MailboxWorld.OwnerLogin, Passwords.Good, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "MBX-5")]
    public async Task ConditionB_FailingAlone_IsReported()
    {
        var s = await SetUpAsync();
        var mailbox = await _w.MailboxAsync("julie");
        var julie = await _w.MemberAsync($"julie@{Domain}", MemberRights.Full);
        await _h.Mailboxes().LinkWebmailAsync(julie, $"julie@{Domain}", null, Contexts.Home);
        await _h.Mailboxes().LinkWebmailAsync(s.Owner, $"julie@{Domain}", null, Contexts.Home);

        var report = (await _h.Mailboxes().ChangePasswordAsync(julie, s.OrganizationId, mailbox.Id, "new mailbox secret 1", true, Passwords.Good, Contexts.Home)).Value.Report;

        Assert.Equal([UnificationConditions.OnlyLinkedAccount], report.FailedConditions);
        Assert.False(report.Unified);
    }

    [Fact]
    [Trait("Rule", "MBX-5")]
    public async Task ConditionC_FailingAlone_IsReported()
    {
        var s = await SetUpAsync();
        var mailbox = await _w.MailboxAsync("julie");
        var julie = await _w.MemberAsync($"julie@{Domain}", new MemberRights(false, [], false));
        await _h.Mailboxes().LinkWebmailAsync(julie, $"julie@{Domain}", MailboxPassword, Contexts.Home);
        var account = _h.Query(db => db.Set<UserAccount>().Single(a => a.Id == julie.AccountId));
        var links = _h.Query(db => db.Set<WebmailLink>().Where(l => l.MailboxId == mailbox.Id).ToList());

        Assert.Equal([UnificationConditions.Rights], UnificationConditions.Failed(account, mailbox, links, hasRights: false));
        ResultAssert.Fails(await _h.Mailboxes().ChangePasswordAsync(julie, s.OrganizationId, mailbox.Id, "new mailbox secret 1", true, Passwords.Good, Contexts.Home), "MAIL_SERVICE_RIGHTS_REQUIRED");
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    public async Task Unification_Ends_WhenASecondAccountLinksTheMailbox_AndIsLogged()
    {
        var s = await SetUpAsync();
        var mailbox = await _w.MailboxAsync("julie");
        var julie = await _w.MemberAsync($"julie@{Domain}", MemberRights.Full);
        await _h.Mailboxes().LinkWebmailAsync(julie, $"julie@{Domain}", null, Contexts.Home);
        await _h.Mailboxes().ChangePasswordAsync(julie, s.OrganizationId, mailbox.Id, "one shared secret 7", true, Passwords.Good, Contexts.Home);

        await _h.Mailboxes().LinkWebmailAsync(s.Owner, $"julie@{Domain}", null, Contexts.Home);

        Assert.Null(_h.Query(db => db.Set<Mailbox>().Single(m => m.Id == mailbox.Id).UnifiedAccountId));
        Assert.Contains(_h.Query(db => db.Set<ActivityEntry>().Where(e => e.AccountId == julie.AccountId).Select(e => e.Kind).ToList()), k => k == ActivityKind.UnificationEnded);
        var session = (await _h.Accounts().SignInAsync($"julie@{Domain}", "one shared secret 7", null, null, Contexts.Home)).Value;
        await _h.Accounts().ChangePasswordAsync((await _h.Accounts().AuthenticateAsync(session.Token)).Value, "one shared secret 7", "independent again 3", null, Contexts.Home);
        Assert.True(await MailAppSignsInAsync($"julie@{Domain}", "one shared secret 7"));
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    public async Task Unification_Ends_WhenTheAccountLosesItsRights()
    {
        var s = await SetUpAsync();
        var mailbox = await _w.MailboxAsync("julie");
        var julie = await _w.MemberAsync($"julie@{Domain}", MemberRights.Full);
        await _h.Mailboxes().LinkWebmailAsync(julie, $"julie@{Domain}", null, Contexts.Home);
        await _h.Mailboxes().ChangePasswordAsync(julie, s.OrganizationId, mailbox.Id, "one shared secret 7", true, Passwords.Good, Contexts.Home);

        await _h.Organizations().UpdateMemberAsync(s.Owner, s.OrganizationId, julie.AccountId, _ => new MemberRights(false, [], false), false);

        Assert.Null(_h.Query(db => db.Set<Mailbox>().Single(m => m.Id == mailbox.Id).UnifiedAccountId));

        var session = (await _h.Accounts().SignInAsync($"julie@{Domain}", "one shared secret 7", null, null, Contexts.Home)).Value;
        await _h.Accounts().ChangePasswordAsync((await _h.Accounts().AuthenticateAsync(session.Token)).Value, "one shared secret 7", "independent again 3", null, Contexts.Home);

        Assert.True(await MailAppSignsInAsync($"julie@{Domain}", "one shared secret 7"));
        Assert.Null(_h.Query(db => db.Set<Mailbox>().Single(m => m.Id == mailbox.Id).UnifiedAccountId));
        Assert.Contains(_h.Query(db => db.Set<ActivityEntry>().Where(e => e.AccountId == julie.AccountId).Select(e => e.Kind).ToList()), k => k == ActivityKind.UnificationEnded);
    }

    [Fact]
    [Trait("Rule", "ACC-9")]
    public async Task AfterAnAccountPasswordChange_WebmailAsksForEachNonUnifiedMailboxPasswordAgain()
    {
        var s = await SetUpAsync();
        await _w.MailboxAsync("compta");
        await _h.Mailboxes().LinkWebmailAsync(s.Owner, $"compta@{Domain}", MailboxPassword, Contexts.Home);

        await _h.Accounts().ChangePasswordAsync(s.Owner, Passwords.Good, Passwords.Other, null, Contexts.Home);

        Assert.True(Assert.Single((await _h.Mailboxes().ListWebmailAsync(s.Owner)).Value).Link.NeedsReconfirmation);
        ResultAssert.Fails(await _h.Mailboxes().ReconfirmWebmailAsync(s.Owner, $"compta@{Domain}", Passwords.Other), "INVALID_CREDENTIALS");
        Assert.True((await _h.Mailboxes().ReconfirmWebmailAsync(s.Owner, $"compta@{Domain}", MailboxPassword)).IsSuccess);
        Assert.False(Assert.Single((await _h.Mailboxes().ListWebmailAsync(s.Owner)).Value).Link.NeedsReconfirmation);
        Assert.True(await MailAppSignsInAsync($"compta@{Domain}", MailboxPassword));
        Assert.Single((await _h.Organizations().ListMineAsync(s.Owner, 0, null)).Value.Items);
    }

    [Fact]
    [Trait("Rule", "ACC-11")]
    public async Task ProductCredentials_AreUntouchedByAccountAndMailboxPasswordChanges()
    {
        var s = await SetUpAsync();
        var mailbox = await _w.MailboxAsync("compta");
        var ftp = (await _h.Mailboxes().CreateCredentialAsync(s.Owner, s.OrganizationId, s.MailServiceId, CredentialKind.Ftp, "ftp_user", "ftp secret words 1")).Value;

        await _h.Accounts().ChangePasswordAsync(s.Owner, Passwords.Good, Passwords.Other, null, Contexts.Home);
        await _h.Mailboxes().ChangePasswordAsync(s.Owner, s.OrganizationId, mailbox.Id, "new mailbox secret 1", false, Passwords.Good, Contexts.Home);
        Assert.Equal(ftp.PasswordHash, _h.Query(db => db.Set<ProductCredential>().Single().PasswordHash));

        await _h.Mailboxes().SetCredentialPasswordAsync(s.Owner, s.OrganizationId, ftp.Id, "other ftp secret 2");
        Assert.NotEqual(ftp.PasswordHash, _h.Query(db => db.Set<ProductCredential>().Single().PasswordHash));
        Assert.True((await _h.Accounts().SignInAsync(MailboxWorld.OwnerLogin, Passwords.Other, null, null, Contexts.Home)).IsSuccess);
        Assert.True(await MailAppSignsInAsync($"compta@{Domain}", "new mailbox secret 1"));
    }
}
