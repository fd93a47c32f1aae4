using Hosting.Core.Accounts;

namespace Hosting.Core.Organizations;

/// <summary>
/// When an unconfirmed account lapses (ACC-12), the organizations it was the only user of go with
/// it: a first order (ORG-1) whose login was never proven leaves no organization behind, and its
/// products, which were never paid, are terminated. It leaves any other organization.
/// </summary>
public sealed class LapsedAccountOrganizations(IOrganizationStore store, TimeProvider clock) : IAccountLapse
{
    /// <inheritdoc />
    public async Task AccountLapsingAsync(UserAccount account, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var organization in await store.ListForAccountAsync(account.Id, cancellationToken).ConfigureAwait(false))
        {
            if (organization.MemberCount > 1)
            {
                _ = organization.Leave(account.Id);
                continue;
            }

            foreach (var product in await store.ListProductsAsync(organization.Id, cancellationToken).ConfigureAwait(false))
            {
                product.Terminate(now);
            }

            organization.MarkDeleted(now);
        }
    }
}
