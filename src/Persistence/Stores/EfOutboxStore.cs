using Hosting.Core.Accounts;
using Hosting.Core.Notifications;
using Hosting.Core.Shared;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence.Stores;

/// <summary>The outbox on EF Core.</summary>
public sealed class EfOutboxStore(HostingDbContext db) : IOutboxStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxMessage>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        await db.Set<OutboxMessage>()
            // Reset requests are work for PasswordResetIssuer, not mail to send.
            .Where(m => m.Kind != NotificationKinds.PasswordResetRequest)
            .Where(m => m.SentAt == null && m.ParkedAt == null && m.NextAttemptAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil <= now))
            .OrderBy(m => m.CreatedAt)
            .Take(max)
            .ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxMessage>> ParkedAsync(PageToken? after, int max, CancellationToken cancellationToken)
    {
        // The same terms as the parked index's filter, so the store seeks on it.
        var query = db.Set<OutboxMessage>().AsNoTracking().Where(m => m.ParkedAt != null && m.SentAt == null);
        query = query.After(after, m => m.CreatedAt, m => m.Id);

        // SentAt is null throughout, yet it leads the order as it leads the index: PostgreSQL does not
        // take an IS NULL as fixing a column, and without it sorted every parked message for a page.
        return await query.OrderBy(m => m.SentAt).ThenBy(m => m.CreatedAt).ThenBy(m => m.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task SaveChangesAsync(CancellationToken cancellationToken) => db.SaveChangesMappedAsync(cancellationToken);
}
