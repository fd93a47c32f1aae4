using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Tests.Core;

/// <summary>Listing, re-sending and revoking invitations, and the invitee's own list (ORG-4, API-4), over the real store.</summary>
public sealed class OrganizationInvitationTests : IDisposable
{
    private static readonly MemberRights Limited = new(false, [], false);

    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<Invitation> InviteAsync(AuthenticatedUser inviter, Guid organizationId, string email, MemberRights? rights = null)
    {
        var invitation = await _h.Organizations().InviteAsync(inviter, organizationId, email, rights ?? Limited);
        Assert.True(invitation.IsSuccess, invitation.Error?.Reason);
        return invitation.Value;
    }

    private Invitation Stored(Guid invitationId) => _h.Query(db => db.Set<Invitation>().AsNoTracking().Single(i => i.Id == invitationId));

    private List<Hosting.Core.Notifications.OutboxMessage> InvitationMail() => _h.Outbox().Where(m => m.Kind == "organization-invitation").ToList();

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Invite_StoresAPendingInvitation_ThatExpiresAfterTheLifetime_AndMailsItsOrganizationAndExpiry()
    {
        var (owner, id) = await _h.OrganizationAsync();

        var invitation = await InviteAsync(owner, id, "new.person@example.com", new MemberRights(false, [], true));

        var stored = Stored(invitation.Id);
        Assert.Equal(InvitationState.Pending, stored.StoredState);
        Assert.Equal(AccountsHarness.Start, stored.CreatedAt);
        Assert.Equal(AccountsHarness.Start + TimeSpan.FromDays(7), stored.ExpiresAt);
        Assert.Equal(owner.AccountId, stored.InvitedBy);
        Assert.True(stored.Billing);
        Assert.False(stored.Administrator);
        var mail = Assert.Single(InvitationMail());
        Assert.Equal("new.person@example.com", mail.Recipient);
        Assert.Equal("Invitation to join Meier Web Sàrl", mail.Subject);
        Assert.Contains($"organizations/{id}/invitations/{invitation.Id}", mail.Body, StringComparison.Ordinal);
        Assert.Contains("It expires on 2026-03-08 09:00 UTC.", mail.Body, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task InvitationMail_TellsAnAddressWithoutAccountToCreateOne_AndAnAccountToSignIn()
    {
        var (owner, id) = await _h.OrganizationAsync();
        await _h.UserAsync("existing@example.com");

        await InviteAsync(owner, id, "nobody@example.com");
        await InviteAsync(owner, id, "existing@example.com");

        var mail = InvitationMail();
        Assert.Contains("Create an account with the login nobody@example.com first", mail.Single(m => m.Recipient == "nobody@example.com").Body, StringComparison.Ordinal);
        var toAccount = mail.Single(m => m.Recipient == "existing@example.com").Body;
        Assert.Contains("Sign in and accept it from your list of invitations.", toAccount, StringComparison.Ordinal);
        Assert.DoesNotContain("Create an account", toAccount, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Invite_ABadAddress_IsRefusedOnTheEmailField_AndStoresNothing()
    {
        var (owner, id) = await _h.OrganizationAsync();

        var error = ResultAssert.Fails(await _h.Organizations().InviteAsync(owner, id, "not an address", Limited), "INVALID_EMAIL");

        Assert.Equal("email", Assert.Single(error.Fields).Field);
        Assert.Equal(0, _h.Query(db => db.Set<Invitation>().Count()));
        Assert.Empty(InvitationMail());
    }

    [Fact]
    [Trait("Rule", "ORG-3")]
    public async Task Invite_AsAdministrator_IgnoresProductRights_ThatALimitedInvitationMayNotName()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var foreign = Guid.NewGuid();

        var admin = await _h.Organizations().InviteAsync(owner, id, "admin@example.com", new MemberRights(true, [foreign], false));
        var limited = await _h.Organizations().InviteAsync(owner, id, "limited@example.com", new MemberRights(false, [foreign], false));

        Assert.True(admin.IsSuccess);
        Assert.Empty(Stored(admin.Value.Id).ProductIds);
        ResultAssert.Fails(limited, "UNKNOWN_PRODUCT");
    }

    [Fact]
    [Trait("Rule", "ORG-3")]
    public async Task Invite_ALimitedMember_StoresEachNamedProductOnce_AndAnAdministratorNone()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var product = Product.Order(_h.Random.NewId(), id, ProductType.WebHosting, "www.example.com", Money.FromTrusted(9600, "CHF"), _h.Clock.GetUtcNow()).Value;
        using (var db = _h.NewDb())
        {
            db.Add(product);
            db.SaveChanges();
        }

        var limited = await InviteAsync(owner, id, "limited@example.com", new MemberRights(false, [product.Id, product.Id], false));
        var admin = await InviteAsync(owner, id, "admin@example.com", new MemberRights(true, [product.Id], false));

        Assert.Equal([product.Id], Stored(limited.Id).ProductIds);
        Assert.Empty(Stored(admin.Id).ProductIds);
        Assert.True(Stored(admin.Id).Administrator);
        var member = await _h.UserAsync("limited@example.com");
        await _h.Organizations().AcceptInvitationAsync(member, limited.Id);
        Assert.Equal([product.Id], (await _h.Organizations().ListProductsAsync(member, id, 0, null)).Value.Items.Select(p => p.Id));
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Invite_AnAccountThatIsAMemberOfAnotherOrganizationOnly_IsAllowed()
    {
        var (owner, id) = await _h.OrganizationAsync();
        await _h.OrganizationAsync("elsewhere@example.com");

        Assert.True((await _h.Organizations().InviteAsync(owner, id, "elsewhere@example.com", Limited)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Invite_AgainOnceThePendingInvitationHasExpired_IsAllowed()
    {
        var (owner, id) = await _h.OrganizationAsync();
        await InviteAsync(owner, id, "again@example.com");

        _h.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromTicks(1));
        ResultAssert.Fails(await _h.Organizations().InviteAsync(owner, id, "again@example.com", Limited), "INVITATION_PENDING");
        _h.Clock.Advance(TimeSpan.FromTicks(1));

        Assert.True((await _h.Organizations().InviteAsync(owner, id, "again@example.com", Limited)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task ListInvitations_IsForManagersOnly()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", new MemberRights(false, [], true));
        var outsider = await _h.UserAsync("outsider@example.com");

        ResultAssert.Fails(await _h.Organizations().ListInvitationsAsync(limited, id, 0, null), "ADMINISTRATOR_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().ListInvitationsAsync(outsider, id, 0, null), "ORGANIZATION_NOT_FOUND");
        var admin = await _h.JoinAsync(id, owner, "admin@example.com", new MemberRights(true, [], false));
        Assert.Equal(2, (await _h.Organizations().ListInvitationsAsync(admin, id, 0, null)).Value.Items.Count);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    [Trait("Rule", "API-4")]
    public async Task ListInvitations_PagesOldestFirst_WithoutRepeatOrLoss_AndOnlyThisOrganizations()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var (other, otherId) = await _h.OrganizationAsync("other.owner@example.com");
        await InviteAsync(other, otherId, "elsewhere@example.com");
        var sent = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            // Two at each instant: the id breaks the tie.
            sent.Add((await InviteAsync(owner, id, $"a{i}@example.com")).Id);
            sent.Add((await InviteAsync(owner, id, $"b{i}@example.com")).Id);
            _h.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var walked = await Paging.WalkAsync(async token =>
        {
            var page = (await _h.Organizations().ListInvitationsAsync(owner, id, 3, token)).Value;
            Assert.True(page.Items.Count <= 3);
            return (page.Items.Select(i => i.Id), page.NextPageToken);
        });

        var expected = _h.Query(db => db.Set<Invitation>().Where(i => i.OrganizationId == id).ToList())
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).Select(i => i.Id).ToList();
        Assert.Equal(expected, walked);
        Assert.Equal(sent.Order(), walked.Order());
        var whole = (await _h.Organizations().ListInvitationsAsync(owner, id, 0, null)).Value;
        Assert.Equal(walked, whole.Items.Select(i => i.Id));
        Assert.Equal(string.Empty, whole.NextPageToken);
    }

    [Fact]
    [Trait("Rule", "API-4")]
    public async Task ListInvitations_APageExactlyFull_HasNoNextToken_AndOneMoreHasOne()
    {
        var (owner, id) = await _h.OrganizationAsync();
        await InviteAsync(owner, id, "a@example.com");
        await InviteAsync(owner, id, "b@example.com");

        var exact = (await _h.Organizations().ListInvitationsAsync(owner, id, 2, null)).Value;
        var shorter = (await _h.Organizations().ListInvitationsAsync(owner, id, 1, null)).Value;
        var rest = (await _h.Organizations().ListInvitationsAsync(owner, id, 1, shorter.NextPageToken)).Value;

        Assert.Equal(2, exact.Items.Count);
        Assert.Equal(string.Empty, exact.NextPageToken);
        Assert.Single(shorter.Items);
        Assert.NotEqual(string.Empty, shorter.NextPageToken);
        Assert.Single(rest.Items);
        Assert.Equal(string.Empty, rest.NextPageToken);
        Assert.NotEqual(shorter.Items[0].Id, rest.Items[0].Id);
    }

    [Fact]
    [Trait("Rule", "API-4")]
    public async Task ListInvitations_RefusesANegativePageSizeAndAForeignToken()
    {
        var (owner, id) = await _h.OrganizationAsync();

        var size = ResultAssert.Fails(await _h.Organizations().ListInvitationsAsync(owner, id, -1, null), "INVALID_PAGE_SIZE");
        var token = ResultAssert.Fails(await _h.Organizations().ListInvitationsAsync(owner, id, 0, "not-a-token"), "INVALID_PAGE_TOKEN");

        Assert.Equal("page_size", size.Fields[0].Field);
        Assert.Equal("page_token", token.Fields[0].Field);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Resend_RenewsTheExpiryFromNow_AndMailsAgain_KeepingTheRights()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitation = await InviteAsync(owner, id, "late@example.com", new MemberRights(false, [], true));
        _h.Clock.Advance(TimeSpan.FromDays(3));

        var resent = await _h.Organizations().ResendInvitationAsync(owner, id, invitation.Id);

        Assert.True(resent.IsSuccess);
        var stored = Stored(invitation.Id);
        Assert.Equal(AccountsHarness.Start + TimeSpan.FromDays(3), stored.CreatedAt);
        Assert.Equal(AccountsHarness.Start + TimeSpan.FromDays(10), stored.ExpiresAt);
        Assert.Equal(InvitationState.Pending, stored.StoredState);
        Assert.True(stored.Billing);
        var mail = InvitationMail();
        Assert.Equal(2, mail.Count);
        Assert.Contains("It expires on 2026-03-11 09:00 UTC.", mail[^1].Body, StringComparison.Ordinal);
        Assert.Contains("Create an account with the login late@example.com", mail[^1].Body, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Resend_ToAnAddressThatNowHasAnAccount_TellsItToSignIn()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitation = await InviteAsync(owner, id, "later@example.com");
        await _h.UserAsync("later@example.com");

        await _h.Organizations().ResendInvitationAsync(owner, id, invitation.Id);

        Assert.Contains("Sign in and accept it", InvitationMail()[^1].Body, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Resend_OfAnExpiredInvitation_MakesItAcceptableAgain_ForTheFullLifetime()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitation = await InviteAsync(owner, id, "late@example.com");
        var invitee = await _h.UserAsync("late@example.com");
        _h.Clock.Advance(TimeSpan.FromDays(30));

        Assert.True((await _h.Organizations().ResendInvitationAsync(owner, id, invitation.Id)).IsSuccess);

        _h.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromTicks(1));
        Assert.True((await _h.Organizations().AcceptInvitationAsync(invitee, invitation.Id)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task AnInvitation_ExpiresAtItsExactExpiry()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitation = await InviteAsync(owner, id, "late@example.com");
        var invitee = await _h.UserAsync("late@example.com");

        _h.Clock.Advance(TimeSpan.FromDays(7));

        ResultAssert.Fails(await _h.Organizations().AcceptInvitationAsync(invitee, invitation.Id), "INVITATION_EXPIRED");
        Assert.Equal(InvitationState.Pending, Stored(invitation.Id).StoredState);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Resend_OfAnAcceptedOrRevokedInvitation_IsRefused_AndChangesNothing()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var accepted = await InviteAsync(owner, id, "joined@example.com");
        var invitee = await _h.UserAsync("joined@example.com");
        await _h.Organizations().AcceptInvitationAsync(invitee, accepted.Id);
        var revoked = await InviteAsync(owner, id, "withdrawn@example.com");
        await _h.Organizations().RevokeInvitationAsync(owner, id, revoked.Id);
        var mailBefore = InvitationMail().Count;
        _h.Clock.Advance(TimeSpan.FromDays(1));

        var first = ResultAssert.Fails(await _h.Organizations().ResendInvitationAsync(owner, id, accepted.Id), "INVITATION_ALREADY_ACCEPTED");
        var second = ResultAssert.Fails(await _h.Organizations().ResendInvitationAsync(owner, id, revoked.Id), "INVITATION_REVOKED");

        Assert.Equal(ErrorKind.FailedPrecondition, first.Kind);
        Assert.Equal(ErrorKind.FailedPrecondition, second.Kind);
        Assert.Equal(AccountsHarness.Start + TimeSpan.FromDays(7), Stored(accepted.Id).ExpiresAt);
        Assert.Equal(AccountsHarness.Start + TimeSpan.FromDays(7), Stored(revoked.Id).ExpiresAt);
        Assert.Equal(mailBefore, InvitationMail().Count);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task ResendAndRevoke_AreForManagersOnly_AndChangeNothingWhenRefused()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", new MemberRights(false, [], true));
        var outsider = await _h.UserAsync("outsider@example.com");
        var invitation = await InviteAsync(owner, id, "pending@example.com");
        var mailBefore = InvitationMail().Count;
        _h.Clock.Advance(TimeSpan.FromDays(1));

        ResultAssert.Fails(await _h.Organizations().ResendInvitationAsync(limited, id, invitation.Id), "ADMINISTRATOR_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().RevokeInvitationAsync(limited, id, invitation.Id), "ADMINISTRATOR_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().ResendInvitationAsync(outsider, id, invitation.Id), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().RevokeInvitationAsync(outsider, id, invitation.Id), "ORGANIZATION_NOT_FOUND");

        var stored = Stored(invitation.Id);
        Assert.Equal(InvitationState.Pending, stored.StoredState);
        Assert.Equal(AccountsHarness.Start, stored.CreatedAt);
        Assert.Equal(mailBefore, InvitationMail().Count);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task ResendAndRevoke_OfAnotherOrganizationsInvitation_OrAnUnknownOne_AreNotFound()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var (other, otherId) = await _h.OrganizationAsync("other.owner@example.com");
        var theirs = await InviteAsync(other, otherId, "theirs@example.com");

        ResultAssert.Fails(await _h.Organizations().ResendInvitationAsync(owner, id, theirs.Id), "INVITATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().RevokeInvitationAsync(owner, id, theirs.Id), "INVITATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().ResendInvitationAsync(owner, id, Guid.NewGuid()), "INVITATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().RevokeInvitationAsync(owner, id, Guid.NewGuid()), "INVITATION_NOT_FOUND");

        Assert.Equal(InvitationState.Pending, Stored(theirs.Id).StoredState);
        Assert.Equal(1, InvitationMail().Count(m => m.Recipient == "theirs@example.com"));
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Revoke_ClosesTheInvitationNow_SoItCannotBeAccepted_NorRevokedTwice()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitation = await InviteAsync(owner, id, "withdrawn@example.com");
        var invitee = await _h.UserAsync("withdrawn@example.com");
        _h.Clock.Advance(TimeSpan.FromHours(2));

        var revoked = await _h.Organizations().RevokeInvitationAsync(owner, id, invitation.Id);

        Assert.Equal(InvitationState.Revoked, revoked.Value.StoredState);
        var stored = Stored(invitation.Id);
        Assert.Equal(InvitationState.Revoked, stored.StoredState);
        Assert.Equal(AccountsHarness.Start + TimeSpan.FromHours(2), stored.ClosedAt);
        ResultAssert.Fails(await _h.Organizations().AcceptInvitationAsync(invitee, invitation.Id), "INVITATION_REVOKED");
        ResultAssert.Fails(await _h.Organizations().RevokeInvitationAsync(owner, id, invitation.Id), "INVITATION_REVOKED");
        Assert.Empty((await _h.Organizations().ListMyInvitationsAsync(invitee)).Value);
        ResultAssert.Fails(await _h.Organizations().GetAsync(invitee, id), "ORGANIZATION_NOT_FOUND");
        Assert.Equal(InvitationState.Revoked, (await _h.Organizations().ListInvitationsAsync(owner, id, 0, null)).Value.Items.Single().StoredState);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Revoke_OfAnAcceptedInvitation_IsRefused_AndKeepsTheMember()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitation = await InviteAsync(owner, id, "joined@example.com");
        var invitee = await _h.UserAsync("joined@example.com");
        await _h.Organizations().AcceptInvitationAsync(invitee, invitation.Id);

        ResultAssert.Fails(await _h.Organizations().RevokeInvitationAsync(owner, id, invitation.Id), "INVITATION_ALREADY_ACCEPTED");

        Assert.Equal(InvitationState.Accepted, Stored(invitation.Id).StoredState);
        Assert.True((await _h.Organizations().GetAsync(invitee, id)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Revoke_OfAnExpiredInvitation_IsAllowed()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitation = await InviteAsync(owner, id, "late@example.com");
        _h.Clock.Advance(TimeSpan.FromDays(8));

        Assert.True((await _h.Organizations().RevokeInvitationAsync(owner, id, invitation.Id)).IsSuccess);
        ResultAssert.Fails(await _h.Organizations().ResendInvitationAsync(owner, id, invitation.Id), "INVITATION_REVOKED");
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task ListMyInvitations_ShowsOnlyTheCallersPendingOnes_WithTheOrganizationsName()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var (other, otherId) = await _h.OrganizationAsync("other.owner@example.com");
        var invitee = await _h.UserAsync("invitee@example.com");
        var mine = await InviteAsync(owner, id, "invitee@example.com");
        await InviteAsync(owner, id, "somebody.else@example.com");
        var revoked = await InviteAsync(other, otherId, "invitee@example.com");
        await _h.Organizations().RevokeInvitationAsync(other, otherId, revoked.Id);
        var (third, thirdId) = await _h.OrganizationAsync("third.owner@example.com");
        var accepted = await InviteAsync(third, thirdId, "invitee@example.com");
        await _h.Organizations().AcceptInvitationAsync(invitee, accepted.Id);

        var all = (await _h.Organizations().ListMyInvitationsAsync(invitee)).Value;
        var paged = (await _h.Organizations().ListMyInvitationsAsync(invitee, 0, null)).Value;

        var (invitation, name) = Assert.Single(all);
        Assert.Equal(mine.Id, invitation.Id);
        Assert.Equal("Meier Web Sàrl", name);
        Assert.Equal(all.Select(i => (i.Invitation.Id, i.OrganizationName)), paged.Items.Select(i => (i.Invitation.Id, i.OrganizationName)));
        Assert.Equal(string.Empty, paged.NextPageToken);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task ListMyInvitations_DropsAnInvitationAtItsExactExpiry()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitee = await _h.UserAsync("invitee@example.com");
        await InviteAsync(owner, id, "invitee@example.com");

        _h.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromTicks(1));
        Assert.Single((await _h.Organizations().ListMyInvitationsAsync(invitee)).Value);
        _h.Clock.Advance(TimeSpan.FromTicks(1));

        Assert.Empty((await _h.Organizations().ListMyInvitationsAsync(invitee)).Value);
        Assert.Empty((await _h.Organizations().ListMyInvitationsAsync(invitee, 0, null)).Value.Items);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task ListMyInvitations_LeavesOutAnInvitationOfADeletedOrganization()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitee = await _h.UserAsync("invitee@example.com");
        var invitation = await InviteAsync(owner, id, "invitee@example.com");
        Assert.True((await _h.Organizations().DeleteAsync(owner, id, false)).IsSuccess);

        Assert.Empty((await _h.Organizations().ListMyInvitationsAsync(invitee)).Value);
        ResultAssert.Fails(await _h.Organizations().AcceptInvitationAsync(invitee, invitation.Id), "INVITATION_NOT_FOUND");
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    [Trait("Rule", "API-4")]
    public async Task ListMyInvitations_PagesOldestFirst_WithoutRepeatOrLoss()
    {
        var invitee = await _h.UserAsync("invitee@example.com");
        var names = new List<(Guid Invitation, string Name)>();
        for (var i = 0; i < 5; i++)
        {
            var owner = await _h.UserAsync($"owner{i}@example.com");
            var contact = Contacts.Company with { CompanyName = $"Company {i}" };
            var id = (await _h.Organizations().CreateAsync(owner, contact)).Value.Organization.Id;
            names.Add(((await InviteAsync(owner, id, "invitee@example.com")).Id, $"Company {i}"));
            if (i % 2 == 1)
            {
                _h.Clock.Advance(TimeSpan.FromMinutes(1));
            }
        }

        var walked = await Paging.WalkAsync(async token =>
        {
            var page = (await _h.Organizations().ListMyInvitationsAsync(invitee, 2, token)).Value;
            Assert.True(page.Items.Count <= 2);
            return (page.Items.Select(i => (i.Invitation.Id, i.OrganizationName)), page.NextPageToken);
        });

        var order = _h.Query(db => db.Set<Invitation>().ToList()).OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).Select(i => i.Id).ToList();
        Assert.Equal(order, walked.Select(w => w.Item1));
        Assert.Equal(names.OrderBy(n => order.IndexOf(n.Invitation)), walked);
    }

    [Fact]
    [Trait("Rule", "API-4")]
    public async Task ListMyInvitations_RefusesANegativePageSizeAndAForeignToken()
    {
        var invitee = await _h.UserAsync("invitee@example.com");

        ResultAssert.Fails(await _h.Organizations().ListMyInvitationsAsync(invitee, -1, null), "INVALID_PAGE_SIZE");
        ResultAssert.Fails(await _h.Organizations().ListMyInvitationsAsync(invitee, 0, "not-a-token"), "INVALID_PAGE_TOKEN");
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task ListMyInvitations_ForAnAccountThatNoLongerExists_IsSessionInvalid()
    {
        var gone = new AuthenticatedUser(Guid.NewGuid(), Guid.NewGuid());

        ResultAssert.Fails(await _h.Organizations().ListMyInvitationsAsync(gone), "SESSION_INVALID");
        ResultAssert.Fails(await _h.Organizations().ListMyInvitationsAsync(gone, 0, null), "SESSION_INVALID");
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Accept_ByAnAccountThatNoLongerExists_OrOfAnUnknownInvitation_IsNotFound()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitation = await InviteAsync(owner, id, "invitee@example.com");
        var invitee = await _h.UserAsync("invitee@example.com");

        ResultAssert.Fails(await _h.Organizations().AcceptInvitationAsync(new AuthenticatedUser(Guid.NewGuid(), Guid.NewGuid()), invitation.Id), "INVITATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().AcceptInvitationAsync(invitee, Guid.NewGuid()), "INVITATION_NOT_FOUND");
        Assert.Equal(InvitationState.Pending, Stored(invitation.Id).StoredState);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Accept_MakesTheOrganizationCurrentOnlyForAnAccountWithoutOne()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var (_, ownId) = await _h.OrganizationAsync("busy@example.com");
        var busy = await _h.UserAsync("busy@example.com");
        var fresh = await _h.UserAsync("fresh@example.com");
        var toBusy = await InviteAsync(owner, id, "busy@example.com");
        var toFresh = await InviteAsync(owner, id, "fresh@example.com");

        var busyView = (await _h.Organizations().AcceptInvitationAsync(busy, toBusy.Id)).Value;
        var freshView = (await _h.Organizations().AcceptInvitationAsync(fresh, toFresh.Id)).Value;

        Assert.False(busyView.IsCurrent);
        Assert.True(freshView.IsCurrent);
        Assert.Equal(ownId, _h.Query(db => db.Set<UserAccount>().Single(a => a.Id == busy.AccountId).CurrentOrganizationId));
        Assert.Equal(id, _h.Query(db => db.Set<UserAccount>().Single(a => a.Id == fresh.AccountId).CurrentOrganizationId));
        Assert.Equal(AccountsHarness.Start, Stored(toFresh.Id).ClosedAt);
    }

    [Fact]
    [Trait("Rule", "ORG-3")]
    public async Task Accept_GrantsTheInvitedRights()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var admin = await _h.JoinAsync(id, owner, "admin@example.com", new MemberRights(true, [], false));
        var billing = await _h.JoinAsync(id, owner, "billing@example.com", new MemberRights(false, [], true));

        var organization = _h.Query(db => db.Set<Organization>().Include(o => o.Memberships).Single(o => o.Id == id));

        Assert.True(organization.MemberOf(admin.AccountId)!.IsAdministrator);
        Assert.False(organization.MemberOf(admin.AccountId)!.HasBillingRights);
        Assert.False(organization.MemberOf(billing.AccountId)!.IsAdministrator);
        Assert.True(organization.MemberOf(billing.AccountId)!.HasBillingRights);
        Assert.False(organization.MemberOf(billing.AccountId)!.IsLegalRepresentative);
    }
}
