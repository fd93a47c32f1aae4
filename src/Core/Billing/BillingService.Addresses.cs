using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Core.Billing;

/// <summary>Billing addresses (BIL-1).</summary>
public sealed partial class BillingService
{
    /// <summary>The organization's billing addresses, the main one first (BIL-1).</summary>
    public async Task<Result<IReadOnlyList<AddressView>>> ListAddressesAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var stored = await store.AddressesAsync(organizationId, ct).ConfigureAwait(false);
        return Result<IReadOnlyList<AddressView>>.Ok([MainAddress(organization.Value), .. stored.Select(a => new AddressView(a.Id, false, a.Lines, a))]);
    }

    /// <summary>One page of the billing addresses: the main one first, then the added ones oldest first (BIL-1, API-4).</summary>
    public async Task<Result<Page<AddressView>>> ListAddressesAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var all = await ListAddressesAsync(user, organizationId, ct).ConfigureAwait(false);
        return all.IsSuccess ? Pager.Apply(all.Value, a => a.Position, pageSize, pageToken) : all.Error;
    }

    /// <summary>Adds a billing address (BIL-1).</summary>
    public async Task<Result<BillingAddress>> AddAddressAsync(AuthenticatedUser user, Guid organizationId, string? recipient, string? street, string? postalCode, string? city, string? country, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var address = BillingAddress.Create(random.NewId(), organizationId, recipient, street, postalCode, city, country, clock.GetUtcNow());
        if (!address.IsSuccess)
        {
            return address;
        }

        store.Add(address.Value);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return address;
    }

    /// <summary>Edits an added billing address (the main one follows the contact details).</summary>
    public async Task<Result<BillingAddress>> UpdateAddressAsync(AuthenticatedUser user, Guid organizationId, Guid addressId, string? recipient, string? street, string? postalCode, string? city, string? country, CancellationToken ct = default)
    {
        var found = await StoredAddressAsync(user, organizationId, addressId, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found;
        }

        var set = found.Value.Set(recipient, street, postalCode, city, country);
        if (!set.IsSuccess)
        {
            return set.Error;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return found;
    }

    /// <summary>
    /// Edits an added billing address from its current fields (an update mask applied by the caller),
    /// refusing a stale <paramref name="etag"/> with ABORTED <c>ETAG_MISMATCH</c>; without an etag the update applies (API-4).
    /// </summary>
    public async Task<Result<BillingAddress>> UpdateAddressAsync(
        AuthenticatedUser user, Guid organizationId, Guid addressId, Func<AddressFields, AddressFields> change, string? etag, CancellationToken ct = default)
    {
        var found = await StoredAddressAsync(user, organizationId, addressId, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found;
        }

        var address = found.Value;
        if (!string.IsNullOrEmpty(etag) && etag != address.ETag)
        {
            return BillingErrors.AddressETagMismatch;
        }

        var next = change(new AddressFields(address.Recipient, address.Street, address.PostalCode, address.City, address.Country));
        var set = address.Set(next.Recipient, next.Street, next.PostalCode, next.City, next.Country);
        if (!set.IsSuccess)
        {
            return set.Error;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return address;
    }

    /// <summary>Removes an added billing address; the main one always remains, so there is never none (BIL-1).</summary>
    public async Task<Result<Done>> RemoveAddressAsync(AuthenticatedUser user, Guid organizationId, Guid addressId, CancellationToken ct = default)
    {
        var found = await StoredAddressAsync(user, organizationId, addressId, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        store.Remove(found.Value);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    private async Task<Result<BillingAddress>> StoredAddressAsync(AuthenticatedUser user, Guid organizationId, Guid addressId, CancellationToken ct)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var stored = (await store.AddressesAsync(organizationId, ct).ConfigureAwait(false)).FirstOrDefault(a => a.Id == addressId);
        return stored is null ? BillingErrors.AddressNotFound : stored;
    }
}
