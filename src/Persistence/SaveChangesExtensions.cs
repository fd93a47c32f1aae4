using Hosting.Core.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence;

internal static class SaveChangesExtensions
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    /// <summary>Saves, turning provider-specific conflicts into the domain's store exceptions.</summary>
    public static async Task SaveChangesMappedAsync(this DbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await (db is HostingDbContext hosting ? hosting.Work.SaveAsync(cancellationToken) : db.SaveChangesAsync(cancellationToken));
        }
        catch (DbUpdateConcurrencyException e)
        {
            throw new ConcurrencyConflictException("A concurrent change won.", e);
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            throw new DuplicateKeyException("A unique key was taken by a concurrent write.", e) { Key = KeyOf(e) };
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: SerializationFailure or DeadlockDetected })
        {
            throw new ConcurrencyConflictException("A concurrent transaction won.", e);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState is SerializationFailure or DeadlockDetected)
        {
            throw new ConcurrencyConflictException("A concurrent transaction won.", e);
        }
    }

    private const string UniqueViolation = "23505";
    private const string SerializationFailure = "40001";
    private const string DeadlockDetected = "40P01";

    // PostgreSQL names the table and constraint; SQLite names "Table.Column" in its message.
    private static string? KeyOf(DbUpdateException e) => e.InnerException switch
    {
        Npgsql.PostgresException pg => $"{pg.TableName}:{pg.ConstraintName}",
        SqliteException sqlite => sqlite.Message,
        _ => null,
    };

    private static bool IsUniqueViolation(DbUpdateException e) =>
        (e.InnerException is SqliteException { SqliteErrorCode: SqliteConstraint } sqlite
            && sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey)
        || e.InnerException is Npgsql.PostgresException { SqlState: UniqueViolation };
}
