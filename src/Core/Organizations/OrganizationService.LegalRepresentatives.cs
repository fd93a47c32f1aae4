using Hosting.Core.Accounts;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>Handing the legal representative role to a member (ORG-8).</summary>
public sealed partial class OrganizationService
{
    /// <summary>A legal representative proposes a member as legal representative (ORG-8).</summary>
    public async Task<Result<Organization>> ProposeLegalRepresentativeAsync(AuthenticatedUser user, Guid organizationId, Guid candidateAccountId, bool replaceMe, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId, candidateAccountId], ct).ConfigureAwait(false);
        if (organization?.MemberOf(user.AccountId) is null)
        {
            return OrganizationErrors.NotFound;
        }

        var proposed = organization.ProposeLegalRepresentative(user.AccountId, candidateAccountId, replaceMe);
        if (!proposed.IsSuccess)
        {
            return proposed.Error;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return organization;
    }

    /// <summary>The proposed member accepts; the handover happens in one change (ORG-8).</summary>
    public async Task<Result<Organization>> AcceptLegalRepresentativeAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId], ct).ConfigureAwait(false);
        if (organization?.MemberOf(user.AccountId) is null)
        {
            return OrganizationErrors.NotFound;
        }

        var accepted = organization.AcceptLegalRepresentative(user.AccountId);
        if (!accepted.IsSuccess)
        {
            return accepted.Error;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return organization;
    }
}
