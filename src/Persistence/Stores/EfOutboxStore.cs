using Hosting.Core.Accounts;
using Hosting.Core.Notifications;
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
    public async Task<IReadOnlyList<OutboxMessage>> ParkedAsync(CancellationToken cancellationToken) =>
        (await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.ParkedAt != null && m.SentAt == null).ToListAsync(cancellationToken)).OrderBy(m => m.CreatedAt).ToList();

    /// <inheritdoc />
    public Task SaveChangesAsync(CancellationToken cancellationToken) => db.SaveChangesMappedAsync(cancellationToken);
}
