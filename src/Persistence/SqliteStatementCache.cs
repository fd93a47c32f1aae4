using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Hosting.Persistence;

/// <summary>
/// The host's SQLite connections, kept open between requests and lent to one context at a time, each with
/// the statements it has prepared. Microsoft.Data.Sqlite prepares the SQL of every new command anew and
/// drops its statements when a connection closes (dotnet/efcore#14044): that preparation was about a third
/// of the host's CPU on a read, and a quarter on a payment.
/// </summary>
internal sealed class SqliteConnectionPool : IDisposable
{
    /// <summary>
    /// The most connections out at once. A context beyond them runs on EF's own connection handling (opened
    /// per statement, nothing kept prepared): a burst of a thousand sign-ins waiting for the hasher holds a
    /// thousand contexts, and a connection each would hold a page cache each.
    /// </summary>
    internal const int MaxLent = 32;

    // The most recently given back first: its statements are the likeliest to be prepared.
    private readonly ConcurrentStack<SqliteConnection> _idle = new();
    private readonly string _connectionString;
    private readonly string? _pragma;
    private int _lent;
    private bool _disposed;

    public SqliteConnectionPool(string connectionString, string? pragma)
    {
        // Pooled here, not by Microsoft.Data.Sqlite: its pool would keep the native connection of one given back
        // inside a transaction, transaction and all, for the next request; closing it for real rolls it back.
        _connectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString();
        _pragma = pragma;
    }

    /// <summary>Lends an open connection to <paramref name="db"/>, given back when the context is disposed; none when all are out.</summary>
    public void Lend(HostingDbContext db)
    {
        if (Interlocked.Increment(ref _lent) > MaxLent)
        {
            Interlocked.Decrement(ref _lent);
            return;
        }

        if (!_idle.TryPop(out var connection))
        {
            connection = new SqliteConnection(_connectionString);
            connection.Open();
            if (_pragma is not null)
            {
                using var command = connection.CreateCommand();
                command.CommandText = _pragma;
                command.ExecuteNonQuery();
            }

            SqliteStatementCache.Track(connection);
        }

        db.UseLentConnection(connection, () => GiveBack(connection));
    }

    private void GiveBack(SqliteConnection connection)
    {
        // A connection is reused only as it was lent: open, with no transaction left behind by its request.
        if (!_disposed && connection.State == ConnectionState.Open && SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0)
        {
            _idle.Push(connection);
        }
        else
        {
            connection.Dispose();
        }

        Interlocked.Decrement(ref _lent);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out var connection))
        {
            connection.Dispose();
        }
    }
}

/// <summary>
/// Runs each command EF builds on a pooled connection (<see cref="SqliteConnectionPool"/>) through the prepared
/// statement the connection keeps for its SQL, prepared on first use.
/// </summary>
internal sealed class SqliteStatementCache : DbCommandInterceptor
{
    // The statements a connection keeps (a few KiB each): every statement the product sends on a hot path; beyond it, commands run unprepared.
    private const int MaxPerConnection = 256;

    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, CachedCommand>> Statements = new();

    public static SqliteStatementCache Instance { get; } = new();

    /// <summary>Gives a pooled connection its cache of statements.</summary>
    public static void Track(SqliteConnection connection) => Statements.Add(connection, new Dictionary<string, CachedCommand>(StringComparer.Ordinal));

    /// <summary>The number of statements <paramref name="connection"/> keeps prepared (for tests).</summary>
    internal static int PreparedOn(SqliteConnection connection) => Statements.TryGetValue(connection, out var cache) ? cache.Count : 0;

    /// <inheritdoc />
    public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
    {
        if (result is not SqliteCommand built || built.Connection is not { } connection || !Statements.TryGetValue(connection, out var cache))
        {
            return result;
        }

        if (!cache.TryGetValue(built.CommandText, out var cached))
        {
            if (cache.Count >= MaxPerConnection)
            {
                return result;
            }

            var command = connection.CreateCommand();
            command.CommandText = built.CommandText;
            cached = new CachedCommand(command);
            cache.Add(built.CommandText, cached);
        }

        // The same SQL already running on this connection (a reader still open): this one runs on its own.
        return cached.TryTake(built) ? cached : result;
    }
}

/// <summary>
/// A connection's prepared command, lent to one execution at a time: the parameters and transaction are the
/// built command's, and disposing it returns it to the cache instead of finalizing its statements.
/// </summary>
[SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The text is EF's own, set once per cached statement.")]
internal sealed class CachedCommand(SqliteCommand inner) : DbCommand
{
    private bool _lent;

    /// <summary>Takes the command for <paramref name="built"/>'s execution, if no other execution holds it.</summary>
    public bool TryTake(SqliteCommand built)
    {
        if (_lent)
        {
            return false;
        }

        _lent = true;
        inner.Parameters.Clear();
        foreach (SqliteParameter parameter in built.Parameters.Cast<SqliteParameter>().ToList())
        {
            built.Parameters.Remove(parameter);
            inner.Parameters.Add(parameter);
        }

        inner.Transaction = built.Transaction;
        inner.CommandTimeout = built.CommandTimeout;
        built.Dispose();
        return true;
    }

    [AllowNull]
    public override string CommandText
    {
        get => inner.CommandText;
        set
        {
            if (!string.Equals(value, inner.CommandText, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("A cached statement keeps its SQL.");
            }
        }
    }

    public override int CommandTimeout { get => inner.CommandTimeout; set => inner.CommandTimeout = value; }

    public override CommandType CommandType { get => inner.CommandType; set => inner.CommandType = value; }

    public override UpdateRowSource UpdatedRowSource { get => inner.UpdatedRowSource; set => inner.UpdatedRowSource = value; }

    public override bool DesignTimeVisible { get => inner.DesignTimeVisible; set => inner.DesignTimeVisible = value; }

    protected override DbConnection? DbConnection { get => inner.Connection; set => throw new InvalidOperationException("A cached statement keeps its connection."); }

    protected override DbParameterCollection DbParameterCollection => inner.Parameters;

    protected override DbTransaction? DbTransaction { get => inner.Transaction; set => inner.Transaction = (SqliteTransaction?)value; }

    public override void Cancel() => inner.Cancel();

    public override int ExecuteNonQuery() => inner.ExecuteNonQuery();

    public override object? ExecuteScalar() => inner.ExecuteScalar();

    public override void Prepare() => inner.Prepare();

    public override Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken) => inner.ExecuteNonQueryAsync(cancellationToken);

    public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken) => inner.ExecuteScalarAsync(cancellationToken);

    protected override DbParameter CreateDbParameter() => inner.CreateParameter();

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => inner.ExecuteReader(behavior);

    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
        await inner.ExecuteReaderAsync(behavior, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        // Back to the cache: the statements stay prepared, the request's values and transaction go.
        if (_lent)
        {
            inner.Parameters.Clear();
            inner.Transaction = null;
            _lent = false;
        }
    }
}
