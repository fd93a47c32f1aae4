using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence;

/// <summary>Brings a store to the checked-in schema at start, on either provider.</summary>
public static class StoreMigrations
{
    private const string DuplicateDatabase = "42P04";

    /// <summary>
    /// Applies pending migrations. Several hosts may start at once on one PostgreSQL database:
    /// EF's migration lock serializes them, and a host that lost the race to create the database
    /// itself simply tries again.
    /// </summary>
    public static async Task MigrateStoreAsync(this HostingDbContext db, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await db.Database.MigrateAsync(cancellationToken);
                break;
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == DuplicateDatabase && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }

        if (db.Database.IsSqlite())
        {
            // WAL lets readers go on while one request writes.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
