using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Core.Billing;

/// <summary>The organization's free vouchers (BIL-9).</summary>
public sealed partial class BillingService
{
    /// <summary>The organization's unused vouchers; billing rights needed.</summary>
    public async Task<Result<IReadOnlyList<FreeVoucher>>> ListVouchersAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        return organization.IsSuccess ? Result<IReadOnlyList<FreeVoucher>>.Ok(await store.UnusedVouchersAsync(organizationId, ct).ConfigureAwait(false)) : organization.Error;
    }

    /// <summary>One page of the organization's unused free vouchers, oldest grant first (BIL-9, API-4).</summary>
    public Task<Result<Page<FreeVoucher>>> ListVouchersAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default) =>
        BillingPageAsync(user, organizationId, pageSize, pageToken, (after, fetch) => store.UnusedVouchersAsync(organizationId, after, fetch, ct), v => new PageToken(v.GrantedAt, v.Id), ct);
}
