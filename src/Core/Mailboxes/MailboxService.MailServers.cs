using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Core.Mailboxes;

/// <summary>The mail servers' check of a mailbox password (MBX-1, MBX-6).</summary>
public sealed partial class MailboxService
{
    /// <summary>
    /// The mail servers' check (MBX-1): address and mailbox password, never an account password.
    /// Unknown addresses cost and answer the same, and failures are throttled like sign-ins. A
    /// mailbox of a product that is not active is refused once its password is right (MBX-6).
    /// </summary>
    public async Task<Result<Done>> CheckCredentialsAsync(string? address, string? password, CancellationToken ct = default)
    {
        var email = EmailAddress.Parse(address, "address");
        if (!email.IsSuccess)
        {
            return MailboxErrors.InvalidCredentials;
        }

        var mailbox = await store.FindByAddressAsync(email.Value, ct).ConfigureAwait(false);
        var verified = await VerifyMailboxPasswordAsync(email.Value, mailbox, password, ct).ConfigureAwait(false);
        if (!verified.IsSuccess)
        {
            return verified.Error;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        var service = await organizations.FindProductAsync(mailbox!.OrganizationId, mailbox.MailServiceId, ct).ConfigureAwait(false);
        return service?.Status == ProductStatus.Active ? Done.Value : MailboxErrors.ProductNotActive;
    }
}
