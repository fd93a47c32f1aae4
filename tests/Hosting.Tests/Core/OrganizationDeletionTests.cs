using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>Deleting an organization (ORG-9): who may, what happens to its members' current organization, and the paid invoices' mail.</summary>
public sealed class OrganizationDeletionTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<(AuthenticatedUser Owner, Guid OrganizationId, AuthenticatedUser Member)> OrganizationWithAMemberAsync()
    {
        var (owner, id) = await _h.OrganizationAsync();
        return (owner, id, await _h.JoinAsync(id, owner, "member@example.com", MemberRights.Full));
    }

    private Guid? CurrentOrganization(AuthenticatedUser user) => _h.Query(db => db.Set<UserAccount>().Single(a => a.Id == user.AccountId).CurrentOrganizationId);

    [Fact]
    [Trait("Rule", "ORG-9")]
    [Trait("Rule", "ORG-5")]
    public async Task ADeletedOrganization_IsNoLongerCurrentForAnyMember_WhileOtherCurrentOrganizationsStay()
    {
        var (owner, id, member) = await OrganizationWithAMemberAsync();
        var elsewhere = await _h.UserAsync("elsewhere@example.com");
        var theirs = (await _h.Organizations().CreateAsync(elsewhere, Contacts.Person)).Value.Organization.Id;
        Assert.Equal(id, CurrentOrganization(owner));
        Assert.Equal(id, CurrentOrganization(member));

        Assert.True((await _h.Organizations().DeleteAsync(owner, id, emailPaidInvoices: false)).IsSuccess);

        Assert.Null(CurrentOrganization(owner));
        Assert.Null(CurrentOrganization(member));
        Assert.Equal(theirs, CurrentOrganization(elsewhere));
        ResultAssert.Fails(await _h.Organizations().GetAsync(member, id), "ORGANIZATION_NOT_FOUND");
        Assert.DoesNotContain(_h.Outbox(), m => m.Kind == "organization-deleted-invoices");
    }

    [Fact]
    [Trait("Rule", "ORG-9")]
    public async Task ThePaidInvoicesMail_OfAnOrganizationThatHadNone_SaysSo_AndGoesToTheDeleter()
    {
        var (owner, id, _) = await OrganizationWithAMemberAsync();

        Assert.True((await _h.Organizations().DeleteAsync(owner, id, emailPaidInvoices: true)).IsSuccess);

        var mail = Assert.Single(_h.Outbox(), m => m.Kind == "organization-deleted-invoices");
        Assert.Equal("owner@example.com", mail.Recipient);
        Assert.Contains("Meier Web Sàrl", mail.Subject, StringComparison.Ordinal);
        Assert.EndsWith("Its paid invoices: (none).", mail.Body, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ORG-9")]
    public async Task OnlyALegalRepresentative_DeletesTheOrganization()
    {
        var (owner, id, member) = await OrganizationWithAMemberAsync();
        var stranger = await _h.UserAsync("stranger@example.com");

        ResultAssert.Fails(await _h.Organizations().DeleteAsync(member, id, emailPaidInvoices: false), "LEGAL_REPRESENTATIVE_REQUIRED");
        ResultAssert.Fails(await _h.Organizations().DeleteAsync(stranger, id, emailPaidInvoices: false), "ORGANIZATION_NOT_FOUND");

        Assert.Equal(id, CurrentOrganization(member));
        Assert.True((await _h.Organizations().GetAsync(owner, id)).IsSuccess);
    }
}
