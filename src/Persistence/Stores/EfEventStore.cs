using Hosting.Core.Events;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence.Stores;

/// <summary>The feed on EF: one keyset query per page, on (Transaction, Position).</summary>
public sealed class EfEventStore(HostingDbContext db) : IEventStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<HostingEvent>> ReadAsync(EventCursor? after, int limit, EventFilter filter, CancellationToken cancellationToken)
    {
        var query = db.Set<HostingEvent>().AsNoTracking();
        if (!db.OnSqlite)
        {
            // Every transaction below the oldest one still open has ended: its events can no longer
            // appear, so nothing handed out from below this line is ever overtaken.
            var horizon = await db.Database.SqlQueryRaw<long>("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint AS \"Value\"")
                .SingleAsync(cancellationToken);
            query = query.Where(e => e.Transaction < horizon);
        }

        if (after is { } c)
        {
            query = query.Where(e => e.Transaction > c.Transaction || (e.Transaction == c.Transaction && e.Position > c.Position));
        }

        if (filter.OrganizationId is { } organizationId)
        {
            query = query.Where(e => e.OrganizationId == organizationId);
        }

        if (filter.Types.Count > 0)
        {
            var types = filter.Types.ToList();
            query = query.Where(e => types.Contains(e.Type));
        }

        return await query.OrderBy(e => e.Transaction).ThenBy(e => e.Position).Take(limit).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        db.Set<HostingEvent>().Where(e => e.OccurredAt < before).ExecuteDeleteAsync(cancellationToken);
}
