using Hosting.Core.Accounts;

namespace Hosting.Core.Organizations;

/// <summary>
/// When an unconfirmed account lapses (ACC-12), the organizations it was the only user of go with
/// it: a first order (ORG-1) whose login was never proven leaves no organization behind, and its
/// products, which were never paid, are terminated. It leaves any other organization, unless it is
/// that organization's only legal representative (ORG-6): then the lapse is held back, as deleting
/// the account would be refused.
/// </summary>
public sealed class LapsedAccountOrganizations(IOrganizationStore store, TimeProvider clock) : IAccountLapse
{
    /// <inheritdoc />
    public async Task<bool> AccountLapsingAsync(UserAccount account, CancellationToken cancellationToken)
    {
        var organizations = await store.ListForAccountAsync(account.Id, cancellationToken).ConfigureAwait(false);
        var shared = organizations.Where(o => o.MemberCount > 1).ToList();
        if (shared.Any(o => o.DepartureBlocker(account.Id) is not null))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        foreach (var organization in shared)
        {
            // Cannot be refused: no organization above blocks the departure.
            _ = organization.Leave(account.Id);
        }

        foreach (var organization in organizations.Except(shared))
        {
            foreach (var product in await store.ListProductsAsync(organization.Id, cancellationToken).ConfigureAwait(false))
            {
                product.Terminate(now);
            }

            organization.MarkDeleted(now);
        }

        return true;
    }
}
