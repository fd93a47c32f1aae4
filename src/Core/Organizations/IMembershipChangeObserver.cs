namespace Hosting.Core.Organizations;

/// <summary>
/// Told, inside the same unit of work, when an account's rights in an organization shrank or its
/// membership ended, so that what depends on those rights can follow (MBX-4 (c)).
/// </summary>
public interface IMembershipChangeObserver
{
    /// <summary>The account's rights in the organization changed or it left.</summary>
    Task RightsChangedAsync(Organization organization, Guid accountId, Accounts.SignInContext context, CancellationToken cancellationToken);
}
