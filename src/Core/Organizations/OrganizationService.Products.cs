using Hosting.Core.Accounts;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>Listing and terminating the organization's products.</summary>
public sealed partial class OrganizationService
{
    /// <summary>The products the caller may see: all for managers, their own for limited members.</summary>
    public async Task<Result<Page<Product>>> ListProductsAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var view = await MemberViewAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!view.IsSuccess)
        {
            return view.Error;
        }

        var me = view.Value.Me;
        var rows = await store.ListProductsAsync(organizationId, me.CanManage ? null : me.ProductIds, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        return page.Value.Cut(rows, p => new PageToken(p.CreatedAt, p.Id));
    }

    /// <summary>Terminates a product; administrators and legal representatives only.</summary>
    public async Task<Result<Product>> TerminateProductAsync(AuthenticatedUser user, Guid organizationId, Guid productId, CancellationToken ct = default)
    {
        var organization = await ManagedAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var product = await store.FindProductAsync(organizationId, productId, ct).ConfigureAwait(false);
        if (product is null)
        {
            return OrganizationErrors.ProductNotFound;
        }

        var terminated = product.Terminate(clock.GetUtcNow());
        if (!terminated.IsSuccess)
        {
            return terminated.Error;
        }

        // What the product granted ends with it, in the same transaction (MBX-6, MBX-7).
        await _mailDomains.ReleaseAsync(product, ct).ConfigureAwait(false);
        if (membershipObserver is not null)
        {
            await membershipObserver.ProductTerminatedAsync(organization.Value, product, ct).ConfigureAwait(false);
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return product;
    }
}
