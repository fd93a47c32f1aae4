using Hosting.Core.Accounts;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>Listing, changing and removing members, and leaving (ORG-3, ORG-6, ORG-7).</summary>
public sealed partial class OrganizationService
{
    /// <summary>The members, oldest first, with their logins; any member may list them.</summary>
    public async Task<Result<Page<MemberView>>> ListMembersAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var request = PageRequest.Parse(pageSize, pageToken);
        if (!request.IsSuccess)
        {
            return request.Error;
        }

        var view = await MemberViewAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!view.IsSuccess)
        {
            return view.Error;
        }

        // One page of members and of their logins: neither grows with the organization.
        var rows = await store.ListMembersAsync(organizationId, request.Value.After, request.Value.Fetch, ct).ConfigureAwait(false);
        var page = request.Value.Cut(rows, m => new PageToken(m.JoinedAt, m.AccountId));
        var logins = await store.LoginsAsync(page.Items.Select(m => m.AccountId), ct).ConfigureAwait(false);
        var etag = view.Value.Organization.ETag;
        var members = page.Items.Where(m => logins.ContainsKey(m.AccountId)).Select(m => new MemberView(m, logins[m.AccountId]) { ETag = etag }).ToList();
        return new Page<MemberView>(members, page.NextPageToken);
    }

    /// <summary>Changes a member's rights (ORG-3, ORG-6, ORG-7).</summary>
    public async Task<Result<Membership>> UpdateMemberAsync(
        AuthenticatedUser user, Guid organizationId, Guid memberAccountId, Func<MemberRights, MemberRights> change, bool demoteLegalRepresentative, CancellationToken ct = default)
    {
        var updated = await UpdateMemberAsync(user, organizationId, memberAccountId, change, demoteLegalRepresentative, null, ct).ConfigureAwait(false);
        return updated.IsSuccess ? updated.Value.Membership : updated.Error;
    }

    /// <summary>
    /// Changes a member's rights (ORG-3, ORG-6, ORG-7), refusing a stale organization
    /// <paramref name="etag"/> with ABORTED <c>ETAG_MISMATCH</c>; without an etag the change applies (API-4).
    /// </summary>
    public async Task<Result<MemberView>> UpdateMemberAsync(
        AuthenticatedUser user, Guid organizationId, Guid memberAccountId, Func<MemberRights, MemberRights> change, bool demoteLegalRepresentative, string? etag, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId, memberAccountId], ct).ConfigureAwait(false);
        if (organization?.MemberOf(user.AccountId) is null)
        {
            return OrganizationErrors.NotFound;
        }

        var member = organization.MemberOf(memberAccountId);
        if (member is null)
        {
            return organization.Manager(user.AccountId) is { IsSuccess: false } denied ? denied.Error : OrganizationErrors.MemberNotFound;
        }

        if (organization.Manager(user.AccountId) is { IsSuccess: false } notManager)
        {
            return notManager.Error;
        }

        if (!string.IsNullOrEmpty(etag) && etag != organization.ETag)
        {
            return OrganizationErrors.ETagMismatch;
        }

        var rights = change(member.Rights);
        var products = await store.ProductIdsAmongAsync(organizationId, rights.ProductIds, ct).ConfigureAwait(false);
        var changed = organization.ChangeRights(user.AccountId, memberAccountId, rights, demoteLegalRepresentative, products);
        if (!changed.IsSuccess)
        {
            return changed.Error;
        }

        await ObserveAsync(organization, memberAccountId, ct).ConfigureAwait(false);

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        var logins = await store.LoginsAsync([memberAccountId], ct).ConfigureAwait(false);
        return logins.TryGetValue(memberAccountId, out var login)
            ? new MemberView(member, login) { ETag = organization.ETag }
            : OrganizationErrors.MemberNotFound;
    }

    /// <summary>Removes a member (ORG-6, ORG-7).</summary>
    public async Task<Result<Done>> RemoveMemberAsync(AuthenticatedUser user, Guid organizationId, Guid memberAccountId, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId, memberAccountId], ct).ConfigureAwait(false);
        if (organization?.MemberOf(user.AccountId) is null)
        {
            return OrganizationErrors.NotFound;
        }

        var removed = organization.RemoveMember(user.AccountId, memberAccountId);
        if (!removed.IsSuccess)
        {
            return removed.Error;
        }

        await ClearCurrentAsync(memberAccountId, organizationId, ct).ConfigureAwait(false);
        await ObserveAsync(organization, memberAccountId, ct).ConfigureAwait(false);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    /// <summary>The caller leaves (ORG-6).</summary>
    public async Task<Result<Done>> LeaveAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId], ct).ConfigureAwait(false);
        if (organization is null)
        {
            return OrganizationErrors.NotFound;
        }

        var left = organization.Leave(user.AccountId);
        if (!left.IsSuccess)
        {
            return left.Error;
        }

        await ClearCurrentAsync(user.AccountId, organizationId, ct).ConfigureAwait(false);
        await ObserveAsync(organization, user.AccountId, ct).ConfigureAwait(false);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    private Task ObserveAsync(Organization organization, Guid accountId, CancellationToken ct) =>
        membershipObserver?.RightsChangedAsync(organization, accountId, SignInContext.Unknown, ct) ?? Task.CompletedTask;

    private async Task ClearCurrentAsync(Guid accountId, Guid organizationId, CancellationToken ct)
    {
        if (await accountStore.FindAccountAsync(accountId, ct).ConfigureAwait(false) is { } account && account.CurrentOrganizationId == organizationId)
        {
            account.SwitchOrganization(null);
        }
    }
}
