using System.Globalization;
using Hosting.Core.Accounts;
using Hosting.Core.Notifications;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>Deleting an organization (ORG-9), and deleting one's own account, which leaves its organizations (ACC-10).</summary>
public sealed partial class OrganizationService
{
    /// <summary>
    /// Deletes an organization (ORG-9): legal representatives only, and only with every product
    /// terminated, a zero wallet with no pending withdrawal and no unpaid invoice. Every unmet
    /// condition is reported at once. Accounts are kept.
    /// </summary>
    public async Task<Result<Done>> DeleteAsync(AuthenticatedUser user, Guid organizationId, bool emailPaidInvoices, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId], ct).ConfigureAwait(false);
        if (organization?.MemberOf(user.AccountId) is null)
        {
            return OrganizationErrors.NotFound;
        }

        var representative = organization.LegalRepresentative(user.AccountId);
        if (!representative.IsSuccess)
        {
            return representative.Error;
        }

        var products = await store.ListProductsAsync(organizationId, ct).ConfigureAwait(false);
        var standing = await finances.StandingAsync(organizationId, ct).ConfigureAwait(false);
        var unmet = new List<(string Type, string Subject, string Description)>();
        foreach (var product in products.Where(p => p.Status != ProductStatus.Terminated))
        {
            unmet.Add(("ACTIVE_PRODUCT", $"organizations/{organizationId}/products/{product.Id}", $"Product {product.Name} is not terminated."));
        }

        foreach (var balance in standing.WalletBalances.Where(b => b.Minor != 0))
        {
            unmet.Add(("WALLET_NOT_EMPTY", $"organizations/{organizationId}/wallets/{balance.Currency}", $"The {balance.Currency} wallet balance is not zero."));
        }

        if (standing.WithdrawalPending)
        {
            unmet.Add(("WITHDRAWAL_PENDING", $"organizations/{organizationId}/wallets", "A wallet withdrawal is pending."));
        }

        foreach (var invoice in standing.UnpaidInvoiceNumbers)
        {
            unmet.Add(("UNPAID_INVOICE", $"organizations/{organizationId}/invoices/{invoice.Id}", $"Invoice {invoice.Number} is unpaid."));
        }

        if (standing.UnpaidInvoices > standing.UnpaidInvoiceNumbers.Count)
        {
            unmet.Add(("UNPAID_INVOICES", $"organizations/{organizationId}/invoices", $"{standing.UnpaidInvoices.ToString(CultureInfo.InvariantCulture)} invoice(s) are unpaid."));
        }

        if (unmet.Count > 0)
        {
            return new DomainError(ErrorKind.FailedPrecondition, "ORGANIZATION_NOT_DELETABLE", "The organization cannot be deleted yet.") { Preconditions = unmet };
        }

        var now = clock.GetUtcNow();
        organization.MarkDeleted(now);
        foreach (var member in await store.AccountsCurrentlyInAsync(organizationId, ct).ConfigureAwait(false))
        {
            member.SwitchOrganization(null);
        }

        if (emailPaidInvoices)
        {
            var login = (await accountStore.FindAccountAsync(user.AccountId, ct).ConfigureAwait(false))!.Login;
            var list = standing.PaidInvoiceNumbers.Count == 0 ? "(none)" : string.Join(", ", standing.PaidInvoiceNumbers);
            store.Add(OutboxMessage.Queue(random.NewId(), "organization-deleted-invoices", login.Value,
                $"Invoices of {organization.Name}", $"The organization {organization.Name} was deleted. Its paid invoices: {list}.", now));
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    /// <summary>
    /// Deletes the caller's own account (ACC-10) with its password: refused while any of its
    /// organizations would be left without a user or a legal representative, each reported.
    /// Memberships go with the account; organizations stay.
    /// </summary>
    public async Task<Result<Done>> DeleteAccountAsync(AuthenticatedUser user, string? currentPassword, CancellationToken ct = default)
    {
        var account = await accounts.LoadWithPasswordAsync(user, currentPassword, ct).ConfigureAwait(false);
        if (!account.IsSuccess)
        {
            return account.Error;
        }

        var organizations = await store.ListForAccountAsync(user.AccountId, ct).ConfigureAwait(false);
        var blocked = organizations
            .Select(o => (Organization: o, Blocker: o.DepartureBlocker(user.AccountId)))
            .Where(b => b.Blocker is not null)
            .Select(b => (b.Blocker!.Reason, $"organizations/{b.Organization.Id}", $"{b.Organization.Name}: {b.Blocker.Message}"))
            .ToList();
        if (blocked.Count > 0)
        {
            return new DomainError(ErrorKind.FailedPrecondition, "ACCOUNT_NOT_DELETABLE", "Deleting this account would leave an organization without a user or a legal representative.")
            {
                Preconditions = blocked,
            };
        }

        foreach (var organization in organizations)
        {
            organization.Leave(user.AccountId);
        }

        store.Remove(account.Value);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }
}
