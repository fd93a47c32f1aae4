using Hosting.Core.Events;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence;

/// <summary>The same model on PostgreSQL; its own type so that its migrations are kept apart from SQLite's.</summary>
public sealed class PostgresHostingDbContext(DbContextOptions<PostgresHostingDbContext> options) : HostingDbContext(options)
{
    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);

        // The writer's transaction id orders the feed: readers stay below the oldest open one (EVT-2).
        modelBuilder.Entity<HostingEvent>().Property(e => e.Transaction).HasDefaultValue(null).HasDefaultValueSql("(pg_current_xact_id()::text)::bigint");
    }
}
