using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hosting.LoadDriver;

/// <summary>What the growth seeder needs to know of a store: how to connect, and how its SQL spells a few things.</summary>
internal abstract class GrowthStore
{
    /// <summary>The store's name in the report.</summary>
    public abstract string Name { get; }

    /// <summary>The SQL false.</summary>
    public abstract string False { get; }

    /// <summary>An empty list of ids, as a primitive collection column stores it.</summary>
    public abstract string NoIds { get; }

    /// <summary>The function that gives a substring's position (1-based).</summary>
    public abstract string Position { get; }

    /// <summary>A query of a table's column names in order, with the table as @table.</summary>
    public abstract string ColumnsSql { get; }

    /// <summary>The host's settings that select this store.</summary>
    public abstract string[] HostSettings { get; }

    public abstract Task<DbConnection> OpenAsync();

    /// <summary>A Guid as the store compares it in a parameter.</summary>
    public abstract object Key(Guid id);

    /// <summary>The id of seeded row i of a table (a column expression in i), the same as <see cref="GrowthSeeder.SeededId"/>.</summary>
    public abstract string Id(string tag);

    /// <summary>A row source of i = 1..count, 64-bit.</summary>
    public abstract string Series(int count);
}

/// <summary>A SQLite database file: Guids as upper-case text, booleans as integers.</summary>
internal sealed class SqliteGrowthStore(string path) : GrowthStore
{
    public override string Name => "SQLite";

    public override string False => "0";

    public override string NoIds => "'[]'";

    public override string Position => "instr";

    public override string ColumnsSql => "SELECT name FROM pragma_table_info(@table)";

    public override string[] HostSettings => [$"--Storage:ConnectionString=Data Source={path}"];

    public override async Task<DbConnection> OpenAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    public override object Key(Guid id) => id.ToString().ToUpperInvariant();

    public override string Id(string tag) => $"'0000{tag}00-0000-4000-8000-' || printf('%012X', i)";

    public override string Series(int count) => $"(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) SELECT i FROM n) AS n";
}

/// <summary>A PostgreSQL database: uuid, boolean and uuid[] columns.</summary>
internal sealed class PostgresGrowthStore(string connectionString) : GrowthStore
{
    public override string Name => "PostgreSQL";

    public override string False => "false";

    public override string NoIds => "'{}'";

    public override string Position => "strpos";

    public override string ColumnsSql => "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table ORDER BY ordinal_position";

    public override string[] HostSettings => ["--Storage:Provider=Postgres", $"--Storage:ConnectionString={connectionString}"];

    /// <summary>The prefix of the databases this scenario owns, and the only ones it will drop.</summary>
    public const string DatabasePrefix = "hosting_growth_";

    /// <summary>
    /// Drops the database if it exists, so that the host creates it afresh. Forced, because a host of an
    /// interrupted run may still hold connections; refused for any database this scenario does not own.
    /// </summary>
    public async Task DropAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Database is not { } database || !database.StartsWith(DatabasePrefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The growth scenario drops only its own databases ({DatabasePrefix}*), not '{builder.Database}'.");
        }

        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($@"DROP DATABASE IF EXISTS ""{database}"" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public override async Task<DbConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override object Key(Guid id) => id;

    public override string Id(string tag) => $"('0000{tag}00-0000-4000-8000-' || lpad(upper(to_hex(i)), 12, '0'))::uuid";

    public override string Series(int count) => $"generate_series(1::bigint, {count}) AS n(i)";
}
