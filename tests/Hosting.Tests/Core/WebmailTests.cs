using Hosting.Core.Accounts;
using Hosting.Core.Mailboxes;
using Hosting.Core.Organizations;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>An account's webmail: linking, re-confirming, listing and unlinking mailboxes (MBX-2, MBX-4, MBX-7).</summary>
public sealed class WebmailTests : IDisposable
{
    private readonly MailboxWorld _w = new();

    public void Dispose() => _w.Dispose();

    private async Task<AuthenticatedUser> OutsiderAsync() => await _w.H.UserAsync("outsider@example.com");

    private Task<Hosting.Core.Shared.Result<WebmailMailbox>> LinkAsync(AuthenticatedUser who, string address, string? password) =>
        _w.Mailboxes.LinkWebmailAsync(who, address, password, Contexts.Home);

    /// <summary>Fails the address's throttle free attempts through the mail servers' check.</summary>
    private async Task FailMailServerChecksAsync(string localPart, int times, TimeSpan? apart = null)
    {
        for (var i = 0; i < times; i++)
        {
            _w.H.Clock.Advance(apart ?? TimeSpan.Zero);
            ResultAssert.Fails(await _w.Mailboxes.CheckCredentialsAsync(_w.Address(localPart), $"guess number {i} here"), "INVALID_CREDENTIALS");
        }
    }

    [Fact]
    [Trait("Rule", "MBX-2")]
    public async Task Link_RecordsWhatGrantedIt()
    {
        await _w.SetUpAsync();
        var info = await _w.MailboxAsync("info");
        await _w.MailboxAsync("sales");

        var byPassword = await _w.LinkAsync(await OutsiderAsync(), "info", MailboxWorld.MailboxPassword);
        var byRights = await _w.LinkAsync(_w.Owner, "sales", string.Empty);

        Assert.Equal(WebmailGrant.MailboxPassword, byPassword.Link.Grant);
        Assert.Equal(info.Id, byPassword.Mailbox.Id);
        Assert.Equal(AccountsHarness.Start, byPassword.Link.LinkedAt);
        Assert.False(byPassword.Link.NeedsReconfirmation);
        Assert.Equal(WebmailGrant.MailServiceRights, byRights.Link.Grant);
    }

    [Fact]
    [Trait("Rule", "MBX-2")]
    [Trait("Rule", "MBX-7")]
    public async Task Link_ToAnUnknownAddress_AnswersAsForAKnownOne()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");
        var outsider = await OutsiderAsync();

        ResultAssert.Fails(await LinkAsync(outsider, _w.Address("nobody"), MailboxWorld.MailboxPassword), "INVALID_CREDENTIALS");
        ResultAssert.Fails(await LinkAsync(outsider, _w.Address("info"), "wrong password here"), "INVALID_CREDENTIALS");
        ResultAssert.Fails(await LinkAsync(_w.Owner, _w.Address("nobody"), null), "MAILBOX_PASSWORD_REQUIRED");
        ResultAssert.Fails(await LinkAsync(outsider, _w.Address("info"), null), "MAILBOX_PASSWORD_REQUIRED");
        Assert.Empty(_w.LinksOf(outsider.AccountId));
        Assert.Empty(_w.LinksOf(_w.Owner.AccountId));
    }

    [Fact]
    [Trait("Rule", "MBX-2")]
    public async Task Link_WithAnInvalidAddress_IsRefused_NamingTheAddress()
    {
        await _w.SetUpAsync();

        var error = ResultAssert.Fails(await LinkAsync(_w.Owner, "not an address", MailboxWorld.MailboxPassword), "INVALID_EMAIL");

        Assert.Equal("address", Assert.Single(error.Fields).Field);
        ResultAssert.Fails(await _w.Mailboxes.UnlinkWebmailAsync(_w.Owner, "not an address", Contexts.Home), "INVALID_EMAIL");
        ResultAssert.Fails(await _w.Mailboxes.ReconfirmWebmailAsync(_w.Owner, "not an address", MailboxWorld.MailboxPassword), "INVALID_EMAIL");
    }

    [Fact]
    [Trait("Rule", "MBX-2")]
    [Trait("Rule", "MBX-7")]
    public async Task Link_ThroughRights_ToATerminatedService_NeedsThePassword()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");
        Assert.True((await _w.Organizations.TerminateProductAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId)).IsSuccess);

        ResultAssert.Fails(await LinkAsync(_w.Owner, _w.Address("info"), null), "MAILBOX_PASSWORD_REQUIRED");
        Assert.Empty(_w.LinksOf(_w.Owner.AccountId));
        Assert.Equal(WebmailGrant.MailboxPassword, (await _w.LinkAsync(_w.Owner, "info", MailboxWorld.MailboxPassword)).Link.Grant);
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task Relinking_ThroughRights_KeepsAConfirmedPasswordLinkAPasswordLink()
    {
        await _w.SetUpAsync();
        var info = await _w.MailboxAsync("info");
        await _w.LinkAsync(_w.Owner, "info", MailboxWorld.MailboxPassword);

        var relinked = await _w.LinkAsync(_w.Owner, "info");

        Assert.Equal(WebmailGrant.MailboxPassword, relinked.Link.Grant);
        Assert.Equal(WebmailGrant.MailboxPassword, Assert.Single(_w.LinksOf(_w.Owner.AccountId)).Grant);
        Assert.Equal(info.Id, relinked.Mailbox.Id);
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task Relinking_ThroughRights_ALinkAwaitingItsPassword_MakesItARightsLink()
    {
        await _w.SetUpAsync();
        var info = await _w.MailboxAsync("info");
        await _w.LinkAsync(_w.Owner, "info", MailboxWorld.MailboxPassword);
        Assert.True((await _w.H.Accounts().ChangePasswordAsync(_w.Owner, Passwords.Good, Passwords.Other, null, Contexts.Home)).IsSuccess);
        Assert.True(_w.LinkOf(_w.Owner.AccountId, info.Id).NeedsReconfirmation);

        await _w.LinkAsync(_w.Owner, "info");

        var link = Assert.Single(_w.LinksOf(_w.Owner.AccountId));
        Assert.Equal(WebmailGrant.MailServiceRights, link.Grant);
        Assert.False(link.NeedsReconfirmation);
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task Relinking_WithThePassword_MakesARightsLinkAPasswordLink()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");
        await _w.LinkAsync(_w.Owner, "info");

        await _w.LinkAsync(_w.Owner, "info", MailboxWorld.MailboxPassword);

        Assert.Equal(WebmailGrant.MailboxPassword, Assert.Single(_w.LinksOf(_w.Owner.AccountId)).Grant);
    }

    [Fact]
    [Trait("Rule", "MBX-2")]
    public async Task Unlink_RemovesOnlyTheCallersLink()
    {
        await _w.SetUpAsync();
        var info = await _w.MailboxAsync("info");
        var outsider = await OutsiderAsync();
        await _w.LinkAsync(outsider, "info", MailboxWorld.MailboxPassword);
        await _w.LinkAsync(_w.Owner, "info");

        Assert.True((await _w.Mailboxes.UnlinkWebmailAsync(_w.Owner, _w.Address("INFO"), Contexts.Home)).IsSuccess);

        Assert.Empty(_w.LinksOf(_w.Owner.AccountId));
        Assert.Equal(info.Id, Assert.Single(_w.LinksOf(outsider.AccountId)).MailboxId);
        Assert.True(_w.Exists(info.Id));
    }

    [Fact]
    [Trait("Rule", "MBX-2")]
    public async Task UnlinkAndReconfirm_OfAMailboxNotInTheCallersWebmail_AreRefused()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");
        var outsider = await OutsiderAsync();
        await _w.LinkAsync(outsider, "info", MailboxWorld.MailboxPassword);

        ResultAssert.Fails(await _w.Mailboxes.UnlinkWebmailAsync(_w.Owner, _w.Address("info"), Contexts.Home), "WEBMAIL_LINK_NOT_FOUND");
        ResultAssert.Fails(await _w.Mailboxes.UnlinkWebmailAsync(_w.Owner, _w.Address("nobody"), Contexts.Home), "WEBMAIL_LINK_NOT_FOUND");
        ResultAssert.Fails(await _w.Mailboxes.ReconfirmWebmailAsync(_w.Owner, _w.Address("info"), MailboxWorld.MailboxPassword), "WEBMAIL_LINK_NOT_FOUND");
        ResultAssert.Fails(await _w.Mailboxes.ReconfirmWebmailAsync(_w.Owner, _w.Address("nobody"), MailboxWorld.MailboxPassword), "WEBMAIL_LINK_NOT_FOUND");
        Assert.Single(_w.LinksOf(outsider.AccountId));
        Assert.Empty(_w.LinksOf(_w.Owner.AccountId));
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task Reconfirming_ARightsLinkWithThePassword_MakesItAPasswordLink()
    {
        await _w.SetUpAsync();
        var info = await _w.MailboxAsync("info");
        await _w.LinkAsync(_w.Owner, "info");

        var reconfirmed = (await _w.Mailboxes.ReconfirmWebmailAsync(_w.Owner, _w.Address("info"), MailboxWorld.MailboxPassword)).Value;

        Assert.Equal(info.Id, reconfirmed.Mailbox.Id);
        Assert.Equal(WebmailGrant.MailboxPassword, _w.LinkOf(_w.Owner.AccountId, info.Id).Grant);
    }

    [Fact]
    [Trait("Rule", "MBX-2")]
    public async Task ListWebmail_ShowsTheCallersMailboxes_ByAddress()
    {
        await _w.SetUpAsync();
        foreach (var localPart in new[] { "zoe", "ann", "max" })
        {
            await _w.MailboxAsync(localPart);
            await _w.LinkAsync(_w.Owner, localPart);
        }

        var outsider = await OutsiderAsync();
        await _w.LinkAsync(outsider, "max", MailboxWorld.MailboxPassword);

        Assert.Equal(["ann", "max", "zoe"], (await _w.Mailboxes.ListWebmailAsync(_w.Owner)).Value.Select(w => w.Mailbox.Address.Value.Split('@')[0]));
        Assert.Equal(_w.Address("max"), Assert.Single((await _w.Mailboxes.ListWebmailAsync(outsider)).Value).Mailbox.Address.Value);
    }

    [Fact]
    [Trait("Rule", "MBX-2")]
    [Trait("Rule", "API-4")]
    public async Task ListWebmail_PagesInLinkOrder_WithATokenOnlyWhileMoreFollow()
    {
        await _w.SetUpAsync();
        foreach (var localPart in new[] { "ann", "max", "zoe" })
        {
            await _w.MailboxAsync(localPart);
        }

        foreach (var localPart in new[] { "zoe", "ann", "max" })
        {
            _w.H.Clock.Advance(TimeSpan.FromSeconds(1));
            await _w.LinkAsync(_w.Owner, localPart);
        }

        var first = (await _w.Mailboxes.ListWebmailAsync(_w.Owner, 2, null)).Value;
        var second = (await _w.Mailboxes.ListWebmailAsync(_w.Owner, 2, first.NextPageToken)).Value;

        Assert.Equal(["zoe", "ann"], first.Items.Select(w => w.Mailbox.Address.Value.Split('@')[0]));
        Assert.Equal(["max"], second.Items.Select(w => w.Mailbox.Address.Value.Split('@')[0]));
        Assert.Equal(string.Empty, second.NextPageToken);
        ResultAssert.Fails(await _w.Mailboxes.ListWebmailAsync(_w.Owner, -1, null), "INVALID_PAGE_SIZE");
        ResultAssert.Fails(await _w.Mailboxes.ListWebmailAsync(_w.Owner, 2, "not-a-token"), "INVALID_PAGE_TOKEN");
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task LinkPasswordGuesses_ShareTheMailServersThrottle()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("ceo");
        var attacker = await OutsiderAsync();
        for (var i = 0; i < _w.H.Options.Throttle.FreeAttempts; i++)
        {
            ResultAssert.Fails(await LinkAsync(attacker, _w.Address("ceo"), $"guess number {i} here"), "INVALID_CREDENTIALS");
        }

        ResultAssert.Fails(await LinkAsync(attacker, _w.Address("ceo"), MailboxWorld.MailboxPassword), "SIGN_IN_THROTTLED");
        ResultAssert.Fails(await _w.Mailboxes.CheckCredentialsAsync(_w.Address("ceo"), MailboxWorld.MailboxPassword), "SIGN_IN_THROTTLED");
        Assert.Empty(_w.LinksOf(attacker.AccountId));
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task Link_IsRefused_WhileTheMailServerCheckHasTheMailboxLocked()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("ceo");
        var attacker = await OutsiderAsync();
        await FailMailServerChecksAsync("ceo", _w.H.Options.Throttle.LockAfter, TimeSpan.FromMinutes(2));

        ResultAssert.Fails(await LinkAsync(attacker, _w.Address("ceo"), MailboxWorld.MailboxPassword), "SIGN_IN_LOCKED");
        Assert.Empty(_w.LinksOf(attacker.AccountId));
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task Reconfirm_SharesTheMailServersThrottle()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("ceo");
        await _w.LinkAsync(_w.Owner, "ceo");
        await FailMailServerChecksAsync("ceo", _w.H.Options.Throttle.FreeAttempts);

        ResultAssert.Fails(await _w.Mailboxes.ReconfirmWebmailAsync(_w.Owner, _w.Address("ceo"), MailboxWorld.MailboxPassword), "SIGN_IN_THROTTLED");
        Assert.Equal(WebmailGrant.MailServiceRights, Assert.Single(_w.LinksOf(_w.Owner.AccountId)).Grant);
    }
}
