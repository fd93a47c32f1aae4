using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hosting.Persistence;

/// <summary>Brings a store to the checked-in schema at start, on either provider.</summary>
public static class StoreMigrations
{
    private const string DuplicateDatabase = "42P04";

    /// <summary>
    /// Applies pending migrations. Several hosts may start at once on one PostgreSQL database: they
    /// take turns under an advisory lock (held on the server's maintenance database, since the
    /// target database may not exist yet), so exactly one applies each migration.
    /// </summary>
    public static async Task MigrateStoreAsync(this HostingDbContext db, CancellationToken cancellationToken = default)
    {
        if (db.Database.IsNpgsql())
        {
            await using var lockConnection = await LockAsync(db.Database.GetConnectionString()!, cancellationToken);
            await MigrateWithRetryAsync(db, cancellationToken);
            return;
        }

        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers go on while one request writes.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    private static async Task MigrateWithRetryAsync(HostingDbContext db, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await db.Database.MigrateAsync(cancellationToken);
                return;
            }
            catch (PostgresException e) when (e.SqlState == DuplicateDatabase && attempt < 5)
            {
                // A host without access to the maintenance database raced us to create the database.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }
    }

    // The lock is released when the returned connection closes; null when the maintenance database is not reachable.
    private static async Task<NpgsqlConnection?> LockAsync(string connectionString, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var key = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("hosting-migrations:" + target.Database)), 0);
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        var connection = new NpgsqlConnection(maintenance.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", key);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch (NpgsqlException)
        {
            await connection.DisposeAsync();
            return null;
        }
    }
}
