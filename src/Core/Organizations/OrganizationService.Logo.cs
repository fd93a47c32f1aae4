using Hosting.Core.Accounts;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>The organization's logo (ORG-10).</summary>
public sealed partial class OrganizationService
{
    /// <summary>Sets the logo after validating it (ORG-10); administrators and legal representatives only.</summary>
    public async Task<Result<StoredLogo>> SetLogoAsync(AuthenticatedUser user, Guid organizationId, byte[]? content, CancellationToken ct = default)
    {
        var organization = await ManagedAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var logo = OrganizationLogo.Validate(content);
        if (!logo.IsSuccess)
        {
            return logo.Error;
        }

        var now = clock.GetUtcNow();
        var stored = await store.FindLogoAsync(organizationId, ct).ConfigureAwait(false);
        if (stored is null)
        {
            stored = StoredLogo.For(organizationId, logo.Value, now);
            store.Add(stored);
        }
        else
        {
            stored.Replace(logo.Value, now);
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return stored;
    }

    /// <summary>The logo; any member may read it.</summary>
    public async Task<Result<StoredLogo>> GetLogoAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var view = await MemberViewAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!view.IsSuccess)
        {
            return view.Error;
        }

        var stored = await store.FindLogoAsync(organizationId, ct).ConfigureAwait(false);
        return stored is null ? OrganizationErrors.NoLogo : stored;
    }

    /// <summary>Removes the logo; the name shows again.</summary>
    public async Task<Result<Done>> DeleteLogoAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var organization = await ManagedAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        if (await store.FindLogoAsync(organizationId, ct).ConfigureAwait(false) is not { } stored)
        {
            return OrganizationErrors.NoLogo;
        }

        store.Remove(stored);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }
}
