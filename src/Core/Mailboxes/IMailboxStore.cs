using Hosting.Core.Shared;

namespace Hosting.Core.Mailboxes;

/// <summary>What the mailboxes domain needs from a store; shares the unit of work of the other stores.</summary>
public interface IMailboxStore
{
    /// <summary>A mailbox by id.</summary>
    Task<Mailbox?> FindAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>A mailbox by address.</summary>
    Task<Mailbox?> FindByAddressAsync(EmailAddress address, CancellationToken cancellationToken);

    /// <summary>The mailboxes of a mail service, by address.</summary>
    Task<IReadOnlyList<Mailbox>> ListForServiceAsync(Guid mailServiceId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> mailboxes of a mail service, oldest first, after a keyset position (API-4).</summary>
    Task<IReadOnlyList<Mailbox>> ListForServiceAsync(Guid mailServiceId, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>The mailboxes unified with an account.</summary>
    Task<IReadOnlyList<Mailbox>> ListUnifiedWithAsync(Guid accountId, CancellationToken cancellationToken);

    /// <summary>The webmail links of a mailbox.</summary>
    Task<IReadOnlyList<WebmailLink>> LinksOfMailboxAsync(Guid mailboxId, CancellationToken cancellationToken);

    /// <summary>The webmail links to the mailboxes of a mail service (MBX-7).</summary>
    Task<IReadOnlyList<WebmailLink>> LinksOfServiceAsync(Guid mailServiceId, CancellationToken cancellationToken);

    /// <summary>The webmail links of an account.</summary>
    Task<IReadOnlyList<WebmailLink>> LinksOfAccountAsync(Guid accountId, CancellationToken cancellationToken);

    /// <summary>The credentials of a product.</summary>
    Task<IReadOnlyList<ProductCredential>> CredentialsOfProductAsync(Guid productId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> credentials of a product, oldest first, after a keyset position (API-4).</summary>
    Task<IReadOnlyList<ProductCredential>> CredentialsOfProductAsync(Guid productId, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> of the account's webmail links with their mailboxes, in the order linked, after a keyset position (time linked, mailbox) (API-4).</summary>
    Task<IReadOnlyList<(WebmailLink Link, Mailbox Mailbox)>> WebmailOfAccountAsync(Guid accountId, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>A product credential by id.</summary>
    Task<ProductCredential?> FindCredentialAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Adds a new object.</summary>
    void Add(object entity);

    /// <summary>Removes an object.</summary>
    void Remove(object entity);

    /// <summary>Commits atomically (see <see cref="Accounts.IAccountStore.SaveChangesAsync"/>).</summary>
    Task SaveChangesAsync(CancellationToken cancellationToken);
}
