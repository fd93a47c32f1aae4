using System.Net.Sockets;
using Microsoft.Data.Sqlite;

namespace Hosting.Persistence;

/// <summary>Tells a store that cannot be reached right now from a fault in the request or the code.</summary>
public static class StoreFailures
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    /// <summary>
    /// Whether <paramref name="exception"/> (or one it wraps) says the database is down, restarting,
    /// unreachable or busy: a retry later may succeed, so callers get UNAVAILABLE, not INTERNAL.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException pg when IsUnavailableState(pg.SqlState):
                case Npgsql.NpgsqlException { IsTransient: true }:
                case SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked }:
                case SocketException:
                case TimeoutException:
                    return true;
            }
        }

        return false;
    }

    // Class 08 is connection exceptions; 57P01-57P03 are shutdowns and start-ups; 53300 is too many connections.
    private static bool IsUnavailableState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03" or "53300";
}
