using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Hosting.Persistence.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hosting.Persistence;

/// <summary>Where the store lives: SQLite (the embedded default) or PostgreSQL (several hosts on one database).</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Storage";

    /// <summary>The embedded provider.</summary>
    public const string Sqlite = "Sqlite";

    /// <summary>The shared provider.</summary>
    public const string Postgres = "Postgres";

    /// <summary>The provider: <c>Sqlite</c> or <c>Postgres</c>.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>The connection string; for SQLite it defaults to a file under <c>./data</c>.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/hosting.db";

    /// <summary>
    /// SQLite's <c>synchronous</c> setting for every connection (<c>FULL</c>, <c>NORMAL</c>); empty keeps SQLite's
    /// default (FULL). In WAL mode NORMAL survives a crash of the process but may lose the last commits on power loss.
    /// </summary>
    public string SqliteSynchronous { get; set; } = string.Empty;

    /// <summary>Whether this is the PostgreSQL provider.</summary>
    public bool IsPostgres => string.Equals(Provider, Postgres, StringComparison.OrdinalIgnoreCase);

    /// <summary>Registers <see cref="HostingDbContext"/> on the configured provider.</summary>
    public void Register(IServiceCollection services)
    {
        // The options are built once, not per request: building them parsed the connection string, touched the
        // database's folder and made a recorder for every call. Everything they hold is a singleton.
        if (IsPostgres)
        {
            services.AddDbContext<HostingDbContext, PostgresHostingDbContext>((sp, b) => ApplyPostgres(b.AddInterceptors(RecorderOf(sp))), ServiceLifetime.Scoped, ServiceLifetime.Singleton);
        }
        else if (string.Equals(Provider, Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            // Each request's context runs on a pooled open connection that keeps its prepared statements.
            services.AddSingleton(_ => new SqliteConnectionPool(SqliteConnectionString(), SqliteSynchronous is { Length: > 0 } s ? new SqlitePragmas(s).Sql : null));
            services.AddDbContext<HostingDbContext>((sp, b) => ApplySqlite(b.AddInterceptors(RecorderOf(sp), SqliteStatementCache.Instance)), ServiceLifetime.Scoped, ServiceLifetime.Singleton);
            services.Replace(ServiceDescriptor.Scoped(sp =>
            {
                var db = new HostingDbContext(sp.GetRequiredService<DbContextOptions<HostingDbContext>>());
                sp.GetRequiredService<SqliteConnectionPool>().Lend(db);
                return db;
            }));
        }
        else
        {
            throw new InvalidOperationException($"Unknown storage provider '{Provider}'. Supported: {Sqlite}, {Postgres}.");
        }
    }

    // Every context of the host records the events of its changes (EVT-1).
    private static EventRecorder RecorderOf(IServiceProvider services) =>
        new(services.GetService<TimeProvider>() ?? TimeProvider.System, services.GetRequiredService<Hosting.Core.Shared.ISecretGenerator>(), services.GetService<Hosting.Core.Events.EventSignal>());

    /// <summary>Configures EF for SQLite, creating the database file's folder if needed.</summary>
    public void ApplySqlite(DbContextOptionsBuilder builder)
    {
        builder.UseSqlite(SqliteConnectionString());
        if (SqliteSynchronous is { Length: > 0 } synchronous)
        {
            builder.AddInterceptors(new SqlitePragmas(synchronous));
        }
    }

    /// <summary>The SQLite connection string as the store uses it, the database file's folder created if needed.</summary>
    private string SqliteConnectionString()
    {
        var csb = new SqliteConnectionStringBuilder(ConnectionString);
        if (!string.IsNullOrEmpty(csb.DataSource) && csb.DataSource != ":memory:" && csb.Mode != SqliteOpenMode.Memory)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(csb.DataSource));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }

        // A busy timeout lets concurrent writers wait for the lock instead of failing at once.
        csb.DefaultTimeout = Math.Max(csb.DefaultTimeout, 30);
        return csb.ToString();
    }

    /// <summary>Configures EF for PostgreSQL.</summary>
    public void ApplyPostgres(DbContextOptionsBuilder builder) => builder.UseNpgsql(ConnectionString);
}

/// <summary>For <c>dotnet ef migrations add ... --context HostingDbContext</c> (SQLite).</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<HostingDbContext>
{
    /// <inheritdoc />
    public HostingDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<HostingDbContext>();
        new StorageOptions { ConnectionString = "Data Source=:memory:" }.ApplySqlite(builder);
        return new HostingDbContext(builder.Options);
    }
}

/// <summary>For <c>dotnet ef migrations add ... --context PostgresHostingDbContext</c>; needs no server.</summary>
public sealed class PostgresDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgresHostingDbContext>
{
    /// <inheritdoc />
    public PostgresHostingDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PostgresHostingDbContext>();
        new StorageOptions { Provider = StorageOptions.Postgres, ConnectionString = "Host=localhost;Database=hosting" }.ApplyPostgres(builder);
        return new PostgresHostingDbContext(builder.Options);
    }
}

/// <summary>Sets the configured per-connection pragmas each time a connection is opened.</summary>
internal sealed class SqlitePragmas : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    /// <summary>The statement run on each new connection.</summary>
    public string Sql { get; }

    public SqlitePragmas(string synchronous)
    {
        var value = synchronous.ToUpperInvariant();
        if (value is not ("OFF" or "NORMAL" or "FULL" or "EXTRA"))
        {
            throw new ArgumentException($"Unknown Storage:SqliteSynchronous '{synchronous}'. Supported: OFF, NORMAL, FULL, EXTRA.");
        }

        Sql = "PRAGMA synchronous=" + value;
    }

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Sql;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
