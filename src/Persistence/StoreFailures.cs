using System.Net.Sockets;
using Microsoft.Data.Sqlite;

namespace Hosting.Persistence;

/// <summary>Tells a store that cannot be reached right now from a fault in the request or the code.</summary>
public static class StoreFailures
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const string SerializationFailure = "40001";
    private const string DeadlockDetected = "40P01";

    /// <summary>
    /// Whether <paramref name="exception"/> (or one it wraps) is the database driver saying the
    /// database is down, restarting, unreachable or busy: a retry later may succeed, so callers
    /// get UNAVAILABLE, not INTERNAL. Only driver exceptions count, so that a socket fault of
    /// another dependency is not reported as the store's.
    /// </summary>
    public static bool IsUnavailable(Exception exception) =>
        Chain(exception).Any(e => e switch
        {
            Npgsql.PostgresException pg => IsUnavailableState(pg.SqlState),
            Npgsql.NpgsqlException npgsql => npgsql.InnerException is SocketException or IOException or TimeoutException
                || (npgsql.IsTransient && !IsConflict(npgsql)),
            SqliteException sqlite => sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked,
            _ => false,
        });

    /// <summary>Whether <paramref name="exception"/> (or one it wraps) is a transaction that lost to a concurrent one.</summary>
    public static bool IsConflict(Exception exception) =>
        Chain(exception).Any(e => e is Npgsql.PostgresException { SqlState: SerializationFailure or DeadlockDetected });

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    // Class 08 is connection exceptions; 57P01-57P03 are shutdowns and start-ups; 53300 is too many connections.
    private static bool IsUnavailableState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03" or "53300";
}
