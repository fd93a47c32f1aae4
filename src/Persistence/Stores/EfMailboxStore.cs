using Hosting.Core.Mailboxes;
using Hosting.Core.Shared;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence.Stores;

/// <summary>The mailboxes store on EF Core; shares the request's context with the other stores.</summary>
public sealed class EfMailboxStore(HostingDbContext db) : IMailboxStore
{
    /// <inheritdoc />
    public Task<Mailbox?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.Set<Mailbox>().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);

    /// <inheritdoc />
    public Task<Mailbox?> FindByAddressAsync(EmailAddress address, CancellationToken cancellationToken) =>
        db.Set<Mailbox>().FirstOrDefaultAsync(m => m.Address == address, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Mailbox>> ListForServiceAsync(Guid mailServiceId, PageToken? after, int max, CancellationToken cancellationToken)
    {
        var query = db.Set<Mailbox>().AsNoTracking().Where(m => m.MailServiceId == mailServiceId);
        query = query.After(after, m => m.CreatedAt, m => m.Id);

        return await query.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Mailbox>> ListForServiceAsync(Guid mailServiceId, CancellationToken cancellationToken) =>
        (await db.Set<Mailbox>().Where(m => m.MailServiceId == mailServiceId).ToListAsync(cancellationToken))
            .OrderBy(m => m.Address.Value, StringComparer.Ordinal).ToList();

    /// <inheritdoc />
    public async Task<IReadOnlyList<Mailbox>> ListUnifiedWithAsync(Guid accountId, CancellationToken cancellationToken) =>
        await db.Set<Mailbox>().Where(m => m.UnifiedAccountId == accountId).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<WebmailLink>> LinksOfMailboxAsync(Guid mailboxId, CancellationToken cancellationToken) =>
        await db.Set<WebmailLink>().Where(l => l.MailboxId == mailboxId).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<WebmailLink>> LinksOfServiceAsync(Guid mailServiceId, CancellationToken cancellationToken) =>
        await db.Set<WebmailLink>()
            .Where(l => db.Set<Mailbox>().Any(m => m.Id == l.MailboxId && m.MailServiceId == mailServiceId))
            .ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<WebmailLink>> LinksOfAccountAsync(Guid accountId, CancellationToken cancellationToken) =>
        await db.Set<WebmailLink>().Where(l => l.AccountId == accountId).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProductCredential>> CredentialsOfProductAsync(Guid productId, CancellationToken cancellationToken) =>
        await db.Set<ProductCredential>().Where(c => c.ProductId == productId).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProductCredential>> CredentialsOfProductAsync(Guid productId, PageToken? after, int max, CancellationToken cancellationToken)
    {
        var query = db.Set<ProductCredential>().AsNoTracking().Where(c => c.ProductId == productId);
        query = query.After(after, c => c.CreatedAt, c => c.Id);

        return await query.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(WebmailLink Link, Mailbox Mailbox)>> WebmailOfAccountAsync(Guid accountId, PageToken? after, int max, CancellationToken cancellationToken)
    {
        // A seek on (AccountId, LinkedAt, MailboxId), then each mailbox by key.
        var links = db.Set<WebmailLink>().AsNoTracking().Where(l => l.AccountId == accountId);
        links = links.After(after, l => l.LinkedAt, l => l.MailboxId);

        var rows = await links
            .Join(db.Set<Mailbox>().AsNoTracking(), l => l.MailboxId, m => m.Id, (l, m) => new { Link = l, Mailbox = m })
            .OrderBy(r => r.Link.LinkedAt).ThenBy(r => r.Link.MailboxId)
            .Take(max)
            .ToListAsync(cancellationToken);
        return rows.Select(r => (r.Link, r.Mailbox)).ToList();
    }

    /// <inheritdoc />
    public Task<ProductCredential?> FindCredentialAsync(Guid id, CancellationToken cancellationToken) =>
        db.Set<ProductCredential>().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);

    /// <inheritdoc />
    public void Add(object entity) => db.Add(entity);

    /// <inheritdoc />
    public void Remove(object entity) => db.Remove(entity);

    /// <inheritdoc />
    public Task SaveChangesAsync(CancellationToken cancellationToken) => db.SaveChangesMappedAsync(cancellationToken);
}
