using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Tests.Core;

/// <summary>Changing members' rights, the product list each member sees, terminating products and the organization's contact: who may, and each refusal.</summary>
public sealed class MemberRightsTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<AuthenticatedUser> SecondLegalRepresentativeAsync(AuthenticatedUser owner, Guid organizationId, string login)
    {
        var member = await _h.JoinAsync(organizationId, owner, login, MemberRights.Full);
        Assert.True((await _h.Organizations().ProposeLegalRepresentativeAsync(owner, organizationId, member.AccountId, replaceMe: false)).IsSuccess);
        Assert.True((await _h.Organizations().AcceptLegalRepresentativeAsync(member, organizationId)).IsSuccess);
        return member;
    }

    private Guid AddProduct(Guid organizationId, string name = "www.example.com") =>
        _h.AddProduct(organizationId, ProductType.WebHosting, name, _h.Clock.GetUtcNow().AddYears(1), 9600).Id;

    private Organization Stored(Guid organizationId) => _h.Query(db => db.Set<Organization>().Include(o => o.Memberships).Single(o => o.Id == organizationId));

    private static MemberRights Limited(params Guid[] products) => new(false, products, false);

    [Fact]
    [Trait("Rule", "ORG-3")]
    public async Task UpdateMember_ByAStranger_IsNotFound_AndByAMemberWhoIsNotAdministrator_IsRefused_EvenForAnUnknownMember()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", Limited());
        var stranger = await _h.UserAsync("stranger@example.com");

        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(stranger, id, limited.AccountId, _ => MemberRights.Full, false), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(limited, id, limited.AccountId, _ => MemberRights.Full, false), "ADMINISTRATOR_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(limited, id, Guid.NewGuid(), _ => MemberRights.Full, false), "ADMINISTRATOR_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(owner, id, Guid.NewGuid(), _ => MemberRights.Full, false), "MEMBER_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(owner, id, stranger.AccountId, _ => MemberRights.Full, false), "MEMBER_NOT_FOUND");

        Assert.False(Stored(id).MemberOf(limited.AccountId)!.Rights.Administrator);
    }

    [Fact]
    [Trait("Rule", "API-4")]
    public async Task UpdateMember_WithAStaleEtag_IsAborted_WithTheCurrentOneOrNoneItApplies()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var member = await _h.JoinAsync(id, owner, "member@example.com", Limited());
        var etag = Stored(id).ETag;
        Assert.True((await _h.Organizations().UpdateMemberAsync(owner, id, member.AccountId, r => r with { Billing = true }, false, etag)).IsSuccess);

        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(owner, id, member.AccountId, r => r with { Administrator = true }, false, etag), "ETAG_MISMATCH");
        Assert.False(Stored(id).MemberOf(member.AccountId)!.Rights.Administrator);

        var current = Stored(id).ETag;
        Assert.NotEqual(etag, current);
        var updated = (await _h.Organizations().UpdateMemberAsync(owner, id, member.AccountId, r => r with { Administrator = true }, false, current)).Value;
        Assert.True(updated.Membership.Rights.Administrator);
        Assert.Equal(Stored(id).ETag, updated.ETag);
        Assert.True((await _h.Organizations().UpdateMemberAsync(owner, id, member.AccountId, r => r with { Billing = false }, false, "")).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ORG-3")]
    public async Task ProductRights_MayNameOnlyTheOrganizationsProducts_UnlessTheMemberIsAdministrator()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var (_, otherId) = await _h.OrganizationAsync("other@example.com");
        var ours = AddProduct(id);
        var theirs = AddProduct(otherId, "www.other.ch");
        var member = await _h.JoinAsync(id, owner, "member@example.com", Limited());

        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(owner, id, member.AccountId, _ => Limited(ours, theirs), false), "UNKNOWN_PRODUCT");
        Assert.Empty(Stored(id).MemberOf(member.AccountId)!.Rights.ProductIds);

        Assert.True((await _h.Organizations().UpdateMemberAsync(owner, id, member.AccountId, _ => Limited(ours), false)).IsSuccess);
        Assert.Equal([ours], Stored(id).MemberOf(member.AccountId)!.Rights.ProductIds);
        Assert.True((await _h.Organizations().UpdateMemberAsync(owner, id, member.AccountId, _ => new MemberRights(true, [theirs], false), false)).IsSuccess);
        Assert.True(Stored(id).MemberOf(member.AccountId)!.Rights.Administrator);
    }

    [Fact]
    [Trait("Rule", "ORG-7")]
    public async Task ALegalRepresentativesRights_AreChangedOnlyByALegalRepresentative()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var admin = await _h.JoinAsync(id, owner, "admin@example.com", MemberRights.Full);

        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(admin, id, owner.AccountId, r => r with { Billing = false }, false), "LEGAL_REPRESENTATIVE_REQUIRED");
        Assert.True(Stored(id).MemberOf(owner.AccountId)!.Rights.Billing);

        Assert.True((await _h.Organizations().UpdateMemberAsync(admin, id, admin.AccountId, r => r with { Billing = false }, false)).IsSuccess);
        Assert.True((await _h.Organizations().UpdateMemberAsync(owner, id, admin.AccountId, r => r with { Billing = true }, false)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ORG-6")]
    public async Task DemotingALegalRepresentative_LowersTheCount_SoTheLastOneCanBeNeitherDemotedNorLeave()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var second = await SecondLegalRepresentativeAsync(owner, id, "second@example.com");
        Assert.Equal(2, Stored(id).LegalRepresentativeCount);

        Assert.True((await _h.Organizations().UpdateMemberAsync(owner, id, second.AccountId, r => r, demoteLegalRepresentative: true)).IsSuccess);

        var stored = Stored(id);
        Assert.Equal(1, stored.LegalRepresentativeCount);
        Assert.False(stored.MemberOf(second.AccountId)!.IsLegalRepresentative);
        Assert.True(stored.MemberOf(second.AccountId)!.Rights.Administrator);
        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(second, id, owner.AccountId, r => r, demoteLegalRepresentative: true), "LEGAL_REPRESENTATIVE_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().UpdateMemberAsync(owner, id, owner.AccountId, r => r, demoteLegalRepresentative: true), "LAST_LEGAL_REPRESENTATIVE");
        ResultAssert.Fails(await _h.Organizations().LeaveAsync(owner, id), "LAST_LEGAL_REPRESENTATIVE");
        Assert.True(Stored(id).MemberOf(owner.AccountId)!.IsLegalRepresentative);
    }

    [Fact]
    [Trait("Rule", "ORG-8")]
    public async Task DemotingALegalRepresentative_EndsTheProposalTheyMade()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var second = await SecondLegalRepresentativeAsync(owner, id, "second@example.com");
        var candidate = await _h.JoinAsync(id, owner, "candidate@example.com", MemberRights.Full);
        Assert.True((await _h.Organizations().ProposeLegalRepresentativeAsync(second, id, candidate.AccountId, replaceMe: false)).IsSuccess);

        Assert.True((await _h.Organizations().UpdateMemberAsync(owner, id, second.AccountId, r => r, demoteLegalRepresentative: true)).IsSuccess);

        Assert.Null(Stored(id).ProposedLegalRepresentative);
        ResultAssert.Fails(await _h.Organizations().AcceptLegalRepresentativeAsync(candidate, id), "NO_LEGAL_REPRESENTATIVE_PROPOSAL");
        Assert.Equal(1, Stored(id).LegalRepresentativeCount);
    }

    [Fact]
    [Trait("Rule", "ORG-8")]
    public async Task DemoteOfAMemberWhoIsNoLegalRepresentative_OnlyAppliesTheRights()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var member = await _h.JoinAsync(id, owner, "member@example.com", MemberRights.Full);

        Assert.True((await _h.Organizations().UpdateMemberAsync(owner, id, member.AccountId, r => r with { Billing = false }, demoteLegalRepresentative: true)).IsSuccess);

        Assert.Equal(1, Stored(id).LegalRepresentativeCount);
        Assert.False(Stored(id).MemberOf(member.AccountId)!.Rights.Billing);
    }

    [Fact]
    [Trait("Rule", "ORG-8")]
    public async Task ProposingOrAcceptingLegalRepresentation_IsRefusedToThoseItIsNotFor()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var member = await _h.JoinAsync(id, owner, "member@example.com", MemberRights.Full);
        var stranger = await _h.UserAsync("stranger@example.com");

        ResultAssert.Fails(await _h.Organizations().ProposeLegalRepresentativeAsync(owner, id, stranger.AccountId, replaceMe: false), "MEMBER_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().ProposeLegalRepresentativeAsync(owner, id, owner.AccountId, replaceMe: false), "ALREADY_LEGAL_REPRESENTATIVE");
        ResultAssert.Fails(await _h.Organizations().ProposeLegalRepresentativeAsync(member, id, member.AccountId, replaceMe: false), "LEGAL_REPRESENTATIVE_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().ProposeLegalRepresentativeAsync(stranger, id, member.AccountId, replaceMe: false), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().AcceptLegalRepresentativeAsync(stranger, id), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().AcceptLegalRepresentativeAsync(member, id), "NO_LEGAL_REPRESENTATIVE_PROPOSAL");
        Assert.Equal(1, Stored(id).LegalRepresentativeCount);
    }

    [Fact]
    [Trait("Rule", "ORG-7")]
    public async Task RemoveMember_ByAStranger_IsNotFound_AndTheMemberStays()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var member = await _h.JoinAsync(id, owner, "member@example.com", Limited());
        var stranger = await _h.UserAsync("stranger@example.com");

        ResultAssert.Fails(await _h.Organizations().RemoveMemberAsync(stranger, id, member.AccountId), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().RemoveMemberAsync(owner, id, stranger.AccountId), "MEMBER_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().LeaveAsync(owner, Guid.NewGuid()), "ORGANIZATION_NOT_FOUND");
        Assert.NotNull(Stored(id).MemberOf(member.AccountId));
    }

    [Fact]
    [Trait("Rule", "ORG-3")]
    public async Task ListProducts_ShowsAManagerEveryProduct_AndALimitedMemberOnlyTheirs_InPages()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var products = Enumerable.Range(1, 3).Select(i => { _h.Clock.Advance(TimeSpan.FromMinutes(1)); return AddProduct(id, $"www.site{i}.ch"); }).ToList();
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", Limited(products[2], products[0]));
        var stranger = await _h.UserAsync("stranger@example.com");

        var first = (await _h.Organizations().ListProductsAsync(owner, id, 2, null)).Value;
        var second = (await _h.Organizations().ListProductsAsync(owner, id, 2, first.NextPageToken)).Value;
        Assert.Equal(products, first.Items.Concat(second.Items).Select(p => p.Id));
        Assert.Empty(second.NextPageToken);

        Assert.Equal([products[0], products[2]], (await _h.Organizations().ListProductsAsync(limited, id, 0, null)).Value.Items.Select(p => p.Id));
        ResultAssert.Fails(await _h.Organizations().ListProductsAsync(stranger, id, 0, null), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().ListProductsAsync(owner, id, -1, null), "INVALID_PAGE_SIZE");
        ResultAssert.Fails(await _h.Organizations().ListProductsAsync(owner, id, 2, "not-a-token"), "INVALID_PAGE_TOKEN");
    }

    [Fact]
    [Trait("Rule", "ORG-3")]
    public async Task TerminateProduct_IsForManagers_OfTheirOwnProducts_AndOnce()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var (_, otherId) = await _h.OrganizationAsync("other@example.com");
        var product = AddProduct(id);
        var theirs = AddProduct(otherId, "www.other.ch");
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", Limited(product));

        ResultAssert.Fails(await _h.Organizations().TerminateProductAsync(limited, id, product), "ADMINISTRATOR_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().TerminateProductAsync(owner, id, theirs), "PRODUCT_NOT_FOUND");
        Assert.Equal(ProductStatus.Active, _h.Query(db => db.Set<Product>().Single(p => p.Id == product).Status));

        Assert.Equal(ProductStatus.Terminated, (await _h.Organizations().TerminateProductAsync(owner, id, product)).Value.Status);
        ResultAssert.Fails(await _h.Organizations().TerminateProductAsync(owner, id, product), "PRODUCT_TERMINATED");
        Assert.NotEqual(ProductStatus.Terminated, _h.Query(db => db.Set<Product>().Single(p => p.Id == theirs).Status));
    }

    [Fact]
    [Trait("Rule", "ORG-11")]
    public async Task UpdateContact_IsForManagers_WithTheCurrentEtag_AndValidDetails()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var limited = await _h.JoinAsync(id, owner, "limited@example.com", Limited());
        var stranger = await _h.UserAsync("stranger@example.com");
        var etag = Stored(id).ETag;

        ResultAssert.Fails(await _h.Organizations().UpdateContactAsync(stranger, id, c => c with { CompanyName = "Taken Over AG" }, null), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Organizations().UpdateContactAsync(limited, id, c => c with { CompanyName = "Taken Over AG" }, null), "ADMINISTRATOR_REQUIRED");
        var invalid = ResultAssert.Fails(await _h.Organizations().UpdateContactAsync(owner, id, c => c with { CompanyName = new string('x', ContactDetails.MaxTextLength + 1) }, etag), "FIELD_TOO_LONG");
        Assert.All(invalid.Fields, f => Assert.StartsWith("organization.contact_details", f.Field, StringComparison.Ordinal));
        Assert.Equal(etag, Stored(id).ETag);

        Assert.True((await _h.Organizations().UpdateContactAsync(owner, id, c => c with { CompanyName = "Meier Web AG" }, etag)).IsSuccess);
        Assert.Equal("Meier Web AG", Stored(id).Name);
        ResultAssert.Fails(await _h.Organizations().UpdateContactAsync(owner, id, c => c with { CompanyName = "Other AG" }, etag), "ETAG_MISMATCH");
        Assert.Equal("Meier Web AG", Stored(id).Name);
    }

    [Fact]
    [Trait("Rule", "ORG-5")]
    public async Task ListMine_RefusesABadPage_AndCreate_RefusesInvalidContactDetails()
    {
        var (owner, _) = await _h.OrganizationAsync();

        ResultAssert.Fails(await _h.Organizations().ListMineAsync(owner, -1, null), "INVALID_PAGE_SIZE");
        ResultAssert.Fails(await _h.Organizations().ListMineAsync(owner, 1, "not-a-token"), "INVALID_PAGE_TOKEN");
        var invalid = await _h.Organizations().CreateAsync(owner, Contacts.Company with { CompanyName = new string('x', ContactDetails.MaxTextLength + 1) });
        Assert.False(invalid.IsSuccess);
        Assert.All(invalid.Error.Fields, f => Assert.StartsWith("contact_details", f.Field, StringComparison.Ordinal));
        Assert.Equal(1, _h.Query(db => db.Set<Organization>().Count()));
    }
}
