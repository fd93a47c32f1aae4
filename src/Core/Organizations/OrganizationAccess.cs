using Hosting.Core.Accounts;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>The access check of organization-scoped use cases, stated once (API-2).</summary>
public static class OrganizationAccess
{
    /// <summary>
    /// The organization, read with the caller's membership only (one row, whatever the size of
    /// the organization), when the caller is a member holding the right; outsiders get
    /// <see cref="OrganizationErrors.NotFound"/> (an organization not theirs looks absent), members
    /// without the right get <paramref name="refusal"/>.
    /// </summary>
    public static async Task<Result<Organization>> MemberWithRightAsync(
        this IOrganizationStore organizations, AuthenticatedUser user, Guid organizationId, Func<Membership, bool> hasRight, DomainError refusal, CancellationToken ct)
    {
        var organization = await organizations.FindAsync(organizationId, [user.AccountId], ct).ConfigureAwait(false);
        var member = organization?.MemberOf(user.AccountId);
        if (organization is null || member is null)
        {
            return OrganizationErrors.NotFound;
        }

        return hasRight(member) ? organization : refusal;
    }
}
