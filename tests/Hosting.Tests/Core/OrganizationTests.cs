using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Tests.Core;

public sealed class OrganizationTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private Guid AddProduct(Guid organizationId, ProductType type = ProductType.WebHosting, string name = "www.example.com") =>
        _h.AddProduct(organizationId, type, name, _h.Clock.GetUtcNow().AddYears(1), 9600).Id;

    [Fact]
    [Trait("Rule", "ORG-1")]
    public async Task FirstOrder_CreatesAccountOrganizationNamedAfterThePersonAndProductAwaitingPayment()
    {
        var order = await _h.Organizations().OrderFirstProductAsync(Contacts.Person, "ann@example.com", Passwords.Good, ProductType.DomainName, "meier.ch", Contexts.Home);

        Assert.Equal("Ann Meier", order.Value.Organization.Name);
        Assert.Equal(ProductStatus.AwaitingPayment, order.Value.Product.Status);
        Assert.Equal(Money.FromTrusted(1500, "CHF"), order.Value.Product.Price);
        var owner = Assert.Single(order.Value.Organization.Memberships);
        Assert.True(owner.IsLegalRepresentative);
        Assert.Equal(order.Value.Organization.Id, _h.Query(db => db.Set<UserAccount>().Single().CurrentOrganizationId));
        Assert.True((await _h.Accounts().SignInAsync("ann@example.com", Passwords.Good, null, null, Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ORG-1")]
    public async Task FirstOrder_ForACompany_IsNamedAfterTheCompany()
    {
        var order = await _h.Organizations().OrderFirstProductAsync(Contacts.Company, "ann@example.com", Passwords.Good, ProductType.WebHosting, "Hosting", Contexts.Home);

        Assert.Equal("Meier Web Sàrl", order.Value.Organization.Name);
    }

    [Fact]
    [Trait("Rule", "ORG-1")]
    public async Task FirstOrder_ThatFails_CreatesNothing()
    {
        await _h.SignUpAsync("ann@example.com");

        var taken = await _h.Organizations().OrderFirstProductAsync(Contacts.Person, "ann@example.com", Passwords.Other, ProductType.DomainName, "meier.ch", Contexts.Home);
        var badContact = await _h.Organizations().OrderFirstProductAsync(Contacts.Person with { Country = "Switzerland" }, "bob@example.com", Passwords.Good, ProductType.DomainName, "b.ch", Contexts.Home);

        ResultAssert.Fails(taken, "LOGIN_TAKEN");
        Assert.Equal("contact_details.country", ResultAssert.Fails(badContact, "INVALID_COUNTRY").Fields[0].Field);
        Assert.Equal(0, _h.Query(db => db.Set<Organization>().Include(o => o.Memberships).Count()));
        Assert.Equal(0, _h.Query(db => db.Set<Product>().Count()));
        Assert.Equal(1, _h.Query(db => db.Set<UserAccount>().Count()));
    }

    [Fact]
    [Trait("Rule", "ORG-2")]
    public async Task Creator_IsLegalRepresentativeAndAdministrator()
    {
        var (owner, id) = await _h.OrganizationAsync();

        var view = (await _h.Organizations().GetAsync(owner, id)).Value;

        Assert.True(view.Me.IsLegalRepresentative);
        Assert.True(view.Me.IsAdministrator);
        Assert.True(view.Me.HasBillingRights);
        Assert.True(view.IsCurrent);
    }

    [Fact]
    [Trait("Rule", "ORG-3")]
    public async Task LimitedMember_AccessesOnlyItsProducts_AndRightsNameOnlyTheOrganizationsProducts()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var site = AddProduct(id);
        var other = AddProduct(id, ProductType.DomainName, "example.org");
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", new MemberRights(false, [site], false));

        var products = (await _h.Organizations().ListProductsAsync(limited, id, 0, null)).Value.Items;
        var foreign = await _h.Organizations().InviteAsync(owner, id, "x@example.com", new MemberRights(false, [Guid.NewGuid()], false));

        Assert.Equal([site], products.Select(p => p.Id));
        Assert.Equal(2, (await _h.Organizations().ListProductsAsync(owner, id, 0, null)).Value.Items.Count);
        ResultAssert.Fails(foreign, "UNKNOWN_PRODUCT");
        Assert.NotEqual(site, other);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task OnlyManagers_Invite()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", new MemberRights(false, [], true));

        var refused = await _h.Organizations().InviteAsync(limited, id, "friend@example.com", MemberRights.Full);

        Assert.Equal(ErrorKind.PermissionDenied, ResultAssert.Fails(refused, "ADMINISTRATOR_REQUIRED").Kind);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task AcceptingAnInvitationThatAnotherAcceptTookMeanwhile_IsAlreadyAccepted()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitation = (await _h.Organizations().InviteAsync(owner, id, "new.person@example.com", new MemberRights(false, [], false))).Value;
        var invitee = await _h.UserAsync("new.person@example.com");

        // The other accept (a second tab) commits just after this one has read the invitation pending.
        var other = new AfterFirstRead("Invitations", async () => (await _h.Organizations().AcceptInvitationAsync(invitee, invitation.Id)).IsSuccess);
        _h.Interceptor = other;
        var accepted = await _h.Organizations().AcceptInvitationAsync(invitee, invitation.Id);
        _h.Interceptor = null;

        Assert.True(other.Succeeded);
        ResultAssert.Fails(accepted, "INVITATION_ALREADY_ACCEPTED");
        Assert.Single((await _h.Organizations().ListMembersAsync(owner, id, 0, null)).Value.Items, m => m.Membership.AccountId == invitee.AccountId);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Invitation_IsEmailed_AndAcceptedOnlyByTheMatchingLogin_Once()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitation = (await _h.Organizations().InviteAsync(owner, id, "New.Person@Example.com", new MemberRights(false, [], true))).Value;
        var stranger = await _h.UserAsync("stranger@example.com");

        Assert.Contains(_h.Outbox(), m => m.Kind == "organization-invitation" && m.Recipient == "new.person@example.com");
        ResultAssert.Fails(await _h.Organizations().AcceptInvitationAsync(stranger, invitation.Id), "INVITATION_NOT_FOUND");

        var invitee = await _h.UserAsync("new.person@example.com");
        var joined = await _h.Organizations().AcceptInvitationAsync(invitee, invitation.Id);
        Assert.True(joined.IsSuccess);
        Assert.False(joined.Value.Me.CanManage);
        Assert.True(joined.Value.Me.HasBillingRights);
        ResultAssert.Fails(await _h.Organizations().AcceptInvitationAsync(invitee, invitation.Id), "INVITATION_ALREADY_ACCEPTED");
        Assert.Contains((await _h.Organizations().ListMineAsync(invitee, 0, null)).Value.Items, v => v.Organization.Id == id);
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Invitation_ExpiresAfterSevenDays_ResendRenewsIt_RevokeEndsIt()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitation = (await _h.Organizations().InviteAsync(owner, id, "late@example.com", MemberRights.Full)).Value;
        var invitee = await _h.UserAsync("late@example.com");

        _h.Clock.Advance(TimeSpan.FromDays(7));
        ResultAssert.Fails(await _h.Organizations().AcceptInvitationAsync(invitee, invitation.Id), "INVITATION_EXPIRED");
        Assert.Empty((await _h.Organizations().ListMyInvitationsAsync(invitee)).Value);

        Assert.True((await _h.Organizations().ResendInvitationAsync(owner, id, invitation.Id)).IsSuccess);
        Assert.Single((await _h.Organizations().ListMyInvitationsAsync(invitee)).Value);
        Assert.True((await _h.Organizations().RevokeInvitationAsync(owner, id, invitation.Id)).IsSuccess);

        ResultAssert.Fails(await _h.Organizations().AcceptInvitationAsync(invitee, invitation.Id), "INVITATION_REVOKED");
        Assert.Equal(2, _h.Outbox().Count(m => m.Kind == "organization-invitation"));
    }

    [Fact]
    [Trait("Rule", "ORG-4")]
    public async Task Inviting_AMemberOrAnAddressWithAPendingInvitation_IsRefused()
    {
        var (owner, id) = await _h.OrganizationAsync();
        await _h.Organizations().InviteAsync(owner, id, "twice@example.com", MemberRights.Full);

        ResultAssert.Fails(await _h.Organizations().InviteAsync(owner, id, "twice@example.com", MemberRights.Full), "INVITATION_PENDING");
        ResultAssert.Fails(await _h.Organizations().InviteAsync(owner, id, "owner@example.com", MemberRights.Full), "ALREADY_MEMBER");
    }

    [Fact]
    [Trait("Rule", "ORG-5")]
    public async Task Switch_IsImmediateAndPersisted_AndOnlyToOwnOrganizations()
    {
        var (owner, first) = await _h.OrganizationAsync();
        var second = (await _h.Organizations().CreateAsync(owner, Contacts.Person)).Value.Organization.Id;
        var (_, foreign) = await _h.OrganizationAsync("someone.else@example.com");

        Assert.True((await _h.Organizations().SwitchAsync(owner, second, Contexts.Home)).IsSuccess);
        var mine = (await _h.Organizations().ListMineAsync(owner, 0, null)).Value.Items;

        Assert.Equal(second, Assert.Single(mine, v => v.IsCurrent).Organization.Id);
        Assert.Equal(second, _h.Query(db => db.Set<UserAccount>().Single(a => a.Id == owner.AccountId).CurrentOrganizationId));
        ResultAssert.Fails(await _h.Organizations().SwitchAsync(owner, foreign, Contexts.Home), "ORGANIZATION_NOT_FOUND");
        Assert.Contains(_h.Query(db => db.Set<ActivityEntry>().Where(e => e.AccountId == owner.AccountId).Select(e => e.Kind).ToList()), k => k == ActivityKind.OrganizationSwitched);
        Assert.NotEqual(first, second);
    }

    [Fact]
    [Trait("Rule", "ORG-5")]
    public async Task EveryCall_OnAnOrganizationOfOthers_LooksLikeItDoesNotExist()
    {
        var (_, foreign) = await _h.OrganizationAsync("someone.else@example.com");
        var outsider = await _h.UserAsync("outsider@example.com");

        ResultAssert.Fails(await _h.Organizations().GetAsync(outsider, foreign), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().GetAsync(outsider, Guid.NewGuid()), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().ListMembersAsync(outsider, foreign, 0, null), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().InviteAsync(outsider, foreign, "x@example.com", MemberRights.Full), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().LeaveAsync(outsider, foreign), "ORGANIZATION_NOT_FOUND");
    }

    [Fact]
    [Trait("Rule", "ORG-6")]
    public async Task LastUser_CannotLeave()
    {
        var (owner, id) = await _h.OrganizationAsync();

        var error = ResultAssert.Fails(await _h.Organizations().LeaveAsync(owner, id), "LAST_USER");

        Assert.Equal(ErrorKind.FailedPrecondition, error.Kind);
        Assert.NotEmpty(error.Preconditions);
    }

    [Fact]
    [Trait("Rule", "ORG-6")]
    public async Task OnlyLegalRepresentative_CannotLeave_BeRemoved_OrBeDemoted()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var admin = await _h.JoinAsync(id, owner, "admin@example.com", MemberRights.Full);

        ResultAssert.Fails(await _h.Organizations().LeaveAsync(owner, id), "LAST_LEGAL_REPRESENTATIVE");
        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(owner, id, owner.AccountId, r => r, demoteLegalRepresentative: true), "LAST_LEGAL_REPRESENTATIVE");
        ResultAssert.Fails(await _h.Organizations().RemoveMemberAsync(admin, id, owner.AccountId), "LEGAL_REPRESENTATIVE_REQUIRED");

        Assert.True((await _h.Organizations().LeaveAsync(admin, id)).IsSuccess);
        Assert.True(_h.Query(db => db.Set<Organization>().Include(o => o.Memberships).Single(o => o.Id == id).Memberships.Single().IsLegalRepresentative));
    }

    [Fact]
    [Trait("Rule", "ORG-6")]
    public async Task WithTwoLegalRepresentatives_OneMayLeave_ThenTheOtherMayNot()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var second = await _h.JoinAsync(id, owner, "second@example.com", MemberRights.Full);
        await _h.Organizations().ProposeLegalRepresentativeAsync(owner, id, second.AccountId, replaceMe: false);
        await _h.Organizations().AcceptLegalRepresentativeAsync(second, id);

        Assert.True((await _h.Organizations().LeaveAsync(owner, id)).IsSuccess);

        ResultAssert.Fails(await _h.Organizations().LeaveAsync(second, id), "LAST_USER");
    }

    [Fact]
    [Trait("Rule", "ORG-6")]
    public async Task TheLegalRepresentativesCount_FollowsAcceptancesAndDepartures_SoTheLastOneCannotLeave()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var second = await _h.JoinAsync(id, owner, "second@example.com", MemberRights.Full);
        await _h.JoinAsync(id, owner, "third@example.com", new MemberRights(false, [], false));
        Assert.True((await _h.Organizations().ProposeLegalRepresentativeAsync(owner, id, second.AccountId, replaceMe: false)).IsSuccess);
        Assert.True((await _h.Organizations().AcceptLegalRepresentativeAsync(second, id)).IsSuccess);

        Assert.True((await _h.Organizations().LeaveAsync(owner, id)).IsSuccess);

        ResultAssert.Fails(await _h.Organizations().LeaveAsync(second, id), "LAST_LEGAL_REPRESENTATIVE");
    }

    [Fact]
    [Trait("Rule", "ORG-8")]
    public async Task AProposal_EndsWhenItsProposerLeaves_AndOutlivesOtherMembersDepartures()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var second = await _h.JoinAsync(id, owner, "second@example.com", MemberRights.Full);
        var candidate = await _h.JoinAsync(id, owner, "candidate@example.com", new MemberRights(false, [], false));
        var bystander = await _h.JoinAsync(id, owner, "bystander@example.com", new MemberRights(false, [], false));
        await _h.Organizations().ProposeLegalRepresentativeAsync(owner, id, second.AccountId, replaceMe: false);
        await _h.Organizations().AcceptLegalRepresentativeAsync(second, id);
        Assert.True((await _h.Organizations().ProposeLegalRepresentativeAsync(owner, id, candidate.AccountId, replaceMe: false)).IsSuccess);

        Assert.True((await _h.Organizations().LeaveAsync(bystander, id)).IsSuccess);
        Assert.Equal(candidate.AccountId, _h.Query(db => db.Set<Organization>().Single(o => o.Id == id).ProposedLegalRepresentative));
        Assert.True((await _h.Organizations().LeaveAsync(owner, id)).IsSuccess);

        ResultAssert.Fails(await _h.Organizations().AcceptLegalRepresentativeAsync(candidate, id), "NO_LEGAL_REPRESENTATIVE_PROPOSAL");
    }

    [Fact]
    [Trait("Rule", "ORG-7")]
    public async Task LimitedMember_CannotChangeAnyonesRights_IncludingItsOwn()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", new MemberRights(false, [], false));

        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(limited, id, limited.AccountId, r => r with { Administrator = true }, false), "ADMINISTRATOR_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(limited, id, owner.AccountId, r => r with { Billing = false }, false), "ADMINISTRATOR_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().RemoveMemberAsync(limited, id, owner.AccountId), "ADMINISTRATOR_REQUIRED");
        Assert.False(_h.Query(db => db.Set<Organization>().Include(o => o.Memberships).Single(o => o.Id == id).MemberOf(limited.AccountId)!.IsAdministrator));
    }

    [Fact]
    [Trait("Rule", "ORG-7")]
    public async Task Administrator_ChangesRightsAndRemovesLimitedMembers()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var admin = await _h.JoinAsync(id, owner, "admin@example.com", MemberRights.Full);
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", new MemberRights(false, [], false));

        var changed = await _h.Organizations().UpdateMemberAsync(admin, id, limited.AccountId, r => r with { Billing = true }, false);
        Assert.True(changed.Value.HasBillingRights);

        Assert.True((await _h.Organizations().RemoveMemberAsync(admin, id, limited.AccountId)).IsSuccess);
        ResultAssert.Fails(await _h.Organizations().GetAsync(limited, id), "ORGANIZATION_NOT_FOUND");
    }

    [Fact]
    [Trait("Rule", "ORG-8")]
    public async Task LegalRepresentative_IsReplacedByProposalAndAcceptance_NeverLeavingNone()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var successor = await _h.JoinAsync(id, owner, "successor@example.com", new MemberRights(false, [], false));
        var bystander = await _h.JoinAsync(id, owner, "bystander@example.com", new MemberRights(false, [], false));

        ResultAssert.Fails(await _h.Organizations().ProposeLegalRepresentativeAsync(successor, id, successor.AccountId, true), "LEGAL_REPRESENTATIVE_REQUIRED");
        Assert.True((await _h.Organizations().ProposeLegalRepresentativeAsync(owner, id, successor.AccountId, replaceMe: true)).IsSuccess);
        Assert.True(_h.Query(db => db.Set<Organization>().Include(o => o.Memberships).Single(o => o.Id == id).MemberOf(owner.AccountId)!.IsLegalRepresentative));
        ResultAssert.Fails(await _h.Organizations().AcceptLegalRepresentativeAsync(bystander, id), "NO_LEGAL_REPRESENTATIVE_PROPOSAL");

        Assert.True((await _h.Organizations().AcceptLegalRepresentativeAsync(successor, id)).IsSuccess);

        var organization = _h.Query(db => db.Set<Organization>().Include(o => o.Memberships).Single(o => o.Id == id));
        Assert.Equal([successor.AccountId], organization.Memberships.Where(m => m.IsLegalRepresentative).Select(m => m.AccountId));
        Assert.True(organization.MemberOf(owner.AccountId)!.IsAdministrator);
        Assert.Null(organization.ProposedLegalRepresentative);
        ResultAssert.Fails(await _h.Organizations().LeaveAsync(successor, id), "LAST_LEGAL_REPRESENTATIVE");
    }

    [Fact]
    [Trait("Rule", "ORG-9")]
    public async Task Delete_ReportsEveryUnmetConditionAtOnce()
    {
        var (owner, id) = await _h.OrganizationAsync();
        AddProduct(id);
        _h.Finances = new FixedFinances(new FinancialStanding([Money.FromTrusted(500, "CHF")], true, 2, []));

        var error = ResultAssert.Fails(await _h.Organizations().DeleteAsync(owner, id, false), "ORGANIZATION_NOT_DELETABLE");

        Assert.Equal(["ACTIVE_PRODUCT", "WALLET_NOT_EMPTY", "WITHDRAWAL_PENDING", "UNPAID_INVOICES"], error.Preconditions.Select(p => p.Type));
        Assert.True((await _h.Organizations().GetAsync(owner, id)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ORG-9")]
    public async Task Delete_OnlyByALegalRepresentative_KeepsAccounts_AndCanEmailPaidInvoices()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var admin = await _h.JoinAsync(id, owner, "admin@example.com", MemberRights.Full);
        var product = AddProduct(id);
        await _h.Organizations().TerminateProductAsync(owner, id, product);
        _h.Finances = new FixedFinances(FinancialStanding.Clear with { PaidInvoiceNumbers = ["2026-000001"] });

        ResultAssert.Fails(await _h.Organizations().DeleteAsync(admin, id, false), "LEGAL_REPRESENTATIVE_REQUIRED");
        Assert.True((await _h.Organizations().DeleteAsync(owner, id, emailPaidInvoices: true)).IsSuccess);

        ResultAssert.Fails(await _h.Organizations().GetAsync(owner, id), "ORGANIZATION_NOT_FOUND");
        Assert.Equal(2, _h.Query(db => db.Set<UserAccount>().Count()));
        Assert.Contains(_h.Outbox(), m => m.Kind == "organization-deleted-invoices" && m.Body.Contains("2026-000001", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Rule", "ORG-11")]
    public async Task ContactDetails_AreEditedByManagers_WithEtag_AndRenameTheOrganization()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", new MemberRights(false, [], false));
        var etag = (await _h.Organizations().GetAsync(owner, id)).Value.Organization.ETag;

        ResultAssert.Fails(await _h.Organizations().UpdateContactAsync(limited, id, c => c with { City = "Bern" }, null), "ADMINISTRATOR_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().UpdateContactAsync(owner, id, c => c with { Country = "XYZ" }, etag), "INVALID_COUNTRY");
        var renamed = await _h.Organizations().UpdateContactAsync(owner, id, c => c with { CompanyName = "Meier Digital SA" }, etag);

        Assert.Equal("Meier Digital SA", renamed.Value.Organization.Name);
        ResultAssert.Fails(await _h.Organizations().UpdateContactAsync(owner, id, c => c with { City = "Bern" }, etag), "ETAG_MISMATCH");
    }

    [Fact]
    [Trait("Rule", "ACC-10")]
    public async Task DeleteAccount_IsRefusedWhileItWouldLeaveAnOrganizationWithoutLegalRepresentativeOrUser()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var alone = (await _h.Organizations().CreateAsync(owner, Contacts.Person)).Value.Organization.Id;
        await _h.JoinAsync(id, owner, "admin@example.com", MemberRights.Full);

        var error = ResultAssert.Fails(await _h.Organizations().DeleteAccountAsync(owner, Passwords.Good), "ACCOUNT_NOT_DELETABLE");

        Assert.Equal(
            [("LAST_LEGAL_REPRESENTATIVE", $"organizations/{id}"), ("LAST_USER", $"organizations/{alone}")],
            error.Preconditions.Select(p => (p.Type, p.Subject)).OrderBy(p => p.Subject == $"organizations/{alone}"));
        ResultAssert.Fails(await _h.Organizations().DeleteAccountAsync(owner, Passwords.Other), "WRONG_PASSWORD");
    }

    [Fact]
    [Trait("Rule", "ACC-10")]
    public async Task DeleteAccount_TakesItsMembershipsButNeverTheOrganization()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var admin = await _h.JoinAsync(id, owner, "admin@example.com", MemberRights.Full);

        Assert.True((await _h.Organizations().DeleteAccountAsync(admin, Passwords.Good)).IsSuccess);

        Assert.Single(_h.Query(db => db.Set<Organization>().Include(o => o.Memberships).Single(o => o.Id == id).Memberships));
        Assert.False(_h.Query(db => db.Set<UserAccount>().Any(a => a.Id == admin.AccountId)));
        ResultAssert.Fails(await _h.Accounts().AuthenticateAsync("x"), "SESSION_INVALID");
        ResultAssert.Fails(await _h.Accounts().SignInAsync("admin@example.com", Passwords.Good, null, null, Contexts.Home), "INVALID_CREDENTIALS");
    }

    private sealed class FixedFinances(FinancialStanding standing) : IOrganizationFinances
    {
        public Task<FinancialStanding> StandingAsync(Guid organizationId, CancellationToken cancellationToken) => Task.FromResult(standing);
    }

    [Fact]
    [Trait("Rule", "API-2")]
    [Trait("Rule", "ORG-6")]
    public async Task AnOrganizationScopedCall_ReadsTheCallersMembership_NotTheMemberList()
    {
        var owner = await _h.UserAsync("owner@example.com");
        var id = (await _h.Organizations().CreateAsync(owner, Contacts.Company)).Value.Organization.Id;
        await _h.JoinAsync(id, owner, "a@example.com", MemberRights.Full);
        await _h.JoinAsync(id, owner, "b@example.com", new MemberRights(false, [], false));

        using var db = _h.NewDb();
        var organization = await new Hosting.Persistence.Stores.EfOrganizationStore(db).FindAsync(id, [owner.AccountId], default);

        Assert.Equal([owner.AccountId], organization!.Memberships.Select(m => m.AccountId));
        Assert.Equal(3, organization.MemberCount);
        Assert.Equal(1, organization.LegalRepresentativeCount);
    }

    [Fact]
    [Trait("Rule", "API-4")]
    [Trait("Rule", "ORG-5")]
    public async Task MembersAndOrganizations_PagedInTheStore_ListEachOnceInOrder_AcrossEqualTimes()
    {
        var owner = await _h.UserAsync("owner@example.com");
        var id = (await _h.Organizations().CreateAsync(owner, Contacts.Company)).Value.Organization.Id;
        var organizations = new List<Guid> { id };
        for (var i = 0; i < 4; i++)
        {
            // The clock stands still: every key ties on time and the id decides the order.
            await _h.JoinAsync(id, owner, $"m{i}@example.com", MemberRights.Full);
            organizations.Add((await _h.Organizations().CreateAsync(owner, Contacts.Person)).Value.Organization.Id);
        }

        var members = new List<Guid>();
        var listed = new List<Guid>();
        string? token = null;
        do
        {
            var page = (await _h.Organizations().ListMembersAsync(owner, id, 2, token)).Value;
            Assert.True(page.Items.Count <= 2);
            members.AddRange(page.Items.Select(m => m.Membership.AccountId));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        do
        {
            var page = (await _h.Organizations().ListMineAsync(owner, 2, token)).Value;
            listed.AddRange(page.Items.Select(v => v.Organization.Id));
            Assert.All(page.Items, v => Assert.Equal(owner.AccountId, v.Me.AccountId));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(5, members.Distinct().Count());
        Assert.Equal(5, members.Count);
        Assert.Equal(organizations.Order(), listed.Order());
        Assert.Equal(5, listed.Count);
        Assert.True(_h.Query(db => db.Set<Organization>().Single(o => o.Id == id).MemberCount) == 5);
    }
}
