using Hosting.Core.Accounts;
using Hosting.Core.Mailboxes;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>What ends with rights on a mail service: webmail links made through them (MBX-7) and unification (MBX-4 (c)).</summary>
public sealed class WebmailRightsTests : IDisposable
{
    private readonly MailboxWorld _w = new();

    public void Dispose() => _w.Dispose();

    /// <summary>A member with the mail service who has info@ linked through rights and sales@ with its password.</summary>
    private async Task<(AuthenticatedUser Member, Mailbox Info, Mailbox Sales)> LinkedMemberAsync()
    {
        var info = await _w.MailboxAsync("info");
        var sales = await _w.MailboxAsync("sales");
        var member = await _w.MailMemberAsync("member@example.com");
        await _w.LinkAsync(member, "info");
        await _w.LinkAsync(member, "sales", MailboxWorld.MailboxPassword);
        return (member, info, sales);
    }

    private async Task EndRightsAsync(string how, AuthenticatedUser member)
    {
        var ended = how switch
        {
            "member removed" => await _w.Organizations.RemoveMemberAsync(_w.Owner, _w.OrganizationId, member.AccountId),
            "rights narrowed" => Done(await _w.Organizations.UpdateMemberAsync(_w.Owner, _w.OrganizationId, member.AccountId, _ => new MemberRights(false, [], false), false)),
            "organization left" => await _w.Organizations.LeaveAsync(member, _w.OrganizationId),
            _ => Done(await _w.Organizations.TerminateProductAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId)),
        };
        Assert.True(ended.IsSuccess, ended.Error?.Reason);
    }

    private static Result<Done> Done<T>(Result<T> result) => result.IsSuccess ? Hosting.Core.Shared.Done.Value : result.Error;

    /// <summary>A second organization of the owner's, with the member in it too.</summary>
    private async Task<Guid> SecondOrganizationWithAsync(AuthenticatedUser member)
    {
        var second = (await _w.Organizations.CreateAsync(_w.Owner, Contacts.Person)).Value.Organization.Id;
        var invitation = (await _w.Organizations.InviteAsync(_w.Owner, second, _w.H.Query(db => db.Set<UserAccount>().Single(a => a.Id == member.AccountId).Login.Value), MemberRights.Full)).Value;
        Assert.True((await _w.Organizations.AcceptInvitationAsync(member, invitation.Id)).IsSuccess);
        return second;
    }

    [Theory]
    [Trait("Rule", "MBX-7")]
    [InlineData("member removed")]
    [InlineData("rights narrowed")]
    [InlineData("organization left")]
    [InlineData("product terminated")]
    public async Task AWebmailLinkMadeThroughRights_Ends_WhenThoseRightsEnd(string how)
    {
        await _w.SetUpAsync();
        var (member, _, sales) = await LinkedMemberAsync();

        await EndRightsAsync(how, member);

        // The link made with the password lasts; the one made through rights is gone and cannot be made again without them.
        var left = Assert.Single(_w.LinksOf(member.AccountId));
        Assert.Equal(sales.Id, left.MailboxId);
        Assert.False(left.NeedsReconfirmation);
        ResultAssert.Fails(await _w.Mailboxes.LinkWebmailAsync(member, _w.Address("info"), null, Contexts.Home), "MAILBOX_PASSWORD_REQUIRED");
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task NarrowedRights_ThatStillIncludeTheMailService_KeepItsRightsLinks()
    {
        await _w.SetUpAsync();
        var info = await _w.MailboxAsync("info");
        var member = await _w.MemberAsync("member@example.com", MemberRights.Full);
        await _w.LinkAsync(member, "info");

        Assert.True((await _w.Organizations.UpdateMemberAsync(_w.Owner, _w.OrganizationId, member.AccountId, _ => new MemberRights(false, [_w.MailServiceId], false), false)).IsSuccess);

        Assert.Equal(info.Id, Assert.Single(_w.LinksOf(member.AccountId)).MailboxId);
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    [Trait("Rule", "ORG-5")]
    public async Task LeavingAnotherOrganization_KeepsTheRightsLinksOfThisOne()
    {
        await _w.SetUpAsync();
        var (member, info, _) = await LinkedMemberAsync();
        var second = await SecondOrganizationWithAsync(member);

        Assert.True((await _w.Organizations.LeaveAsync(member, second)).IsSuccess);

        Assert.Equal(2, _w.LinksOf(member.AccountId).Count);
        Assert.Equal(WebmailGrant.MailServiceRights, _w.LinkOf(member.AccountId, info.Id).Grant);
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    public async Task LosingRightsInAnotherOrganization_KeepsTheUnification()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnifiedAsync("one shared secret 7");
        var second = await SecondOrganizationWithAsync(julie);

        Assert.True((await _w.Organizations.RemoveMemberAsync(_w.Owner, second, julie.AccountId)).IsSuccess);

        Assert.Equal(julie.AccountId, _w.Stored(mailbox.Id).UnifiedAccountId);
        Assert.DoesNotContain(ActivityKind.UnificationEnded, _w.Activity(julie.AccountId));
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    public async Task NarrowedRights_ThatStillIncludeTheMailService_KeepTheUnification()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnifiedAsync("one shared secret 7");

        Assert.True((await _w.Organizations.UpdateMemberAsync(_w.Owner, _w.OrganizationId, julie.AccountId, _ => MemberRights.Full, false)).IsSuccess);

        Assert.Equal(julie.AccountId, _w.Stored(mailbox.Id).UnifiedAccountId);
    }

    [Fact]
    [Trait("Rule", "MBX-4")]
    [Trait("Rule", "MBX-7")]
    public async Task RemovingTheUnifiedMember_EndsUnificationAndItsRightsLink_AndLogsTheEnd()
    {
        await _w.SetUpAsync();
        var (julie, mailbox) = await _w.UnifiedAsync("one shared secret 7");

        Assert.True((await _w.Organizations.RemoveMemberAsync(_w.Owner, _w.OrganizationId, julie.AccountId)).IsSuccess);

        Assert.Null(_w.Stored(mailbox.Id).UnifiedAccountId);
        Assert.Empty(_w.LinksOf(julie.AccountId));
        Assert.Single(_w.Activity(julie.AccountId), k => k == ActivityKind.UnificationEnded);
    }

    [Fact]
    [Trait("Rule", "MBX-7")]
    public async Task TerminatingAMailService_KeepsTheRightsLinksOfAnotherService()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");
        var other = _w.AddProduct(_w.OrganizationId, ProductType.MailService, "autre-domaine.xyz");
        var contact = (await _w.Mailboxes.CreateAsync(_w.Owner, _w.OrganizationId, other.Id, "contact", MailboxWorld.MailboxPassword)).Value;
        await _w.LinkAsync(_w.Owner, "info");
        Assert.True((await _w.Mailboxes.LinkWebmailAsync(_w.Owner, contact.Address.Value, null, Contexts.Home)).IsSuccess);

        Assert.True((await _w.Organizations.TerminateProductAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId)).IsSuccess);

        Assert.Equal(contact.Id, Assert.Single(_w.LinksOf(_w.Owner.AccountId)).MailboxId);
    }
}
