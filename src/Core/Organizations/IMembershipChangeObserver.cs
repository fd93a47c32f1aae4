namespace Hosting.Core.Organizations;

/// <summary>
/// Told, inside the same unit of work, when an account's rights in an organization shrank or its
/// membership ended, or a product ended, so that what depends on those rights can follow
/// (MBX-4 (c), MBX-7).
/// </summary>
public interface IMembershipChangeObserver
{
    /// <summary>The account's rights in the organization changed or it left.</summary>
    Task RightsChangedAsync(Organization organization, Guid accountId, Accounts.SignInContext context, CancellationToken cancellationToken);

    /// <summary>The product was terminated: no right on it grants anything any more.</summary>
    Task ProductTerminatedAsync(Organization organization, Product product, CancellationToken cancellationToken);
}
