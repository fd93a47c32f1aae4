using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Hosting.Persistence.Events;
using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>Whether this is the PostgreSQL provider.</summary>
    public bool IsPostgres => string.Equals(Provider, Postgres, StringComparison.OrdinalIgnoreCase);

    /// <summary>Registers <see cref="HostingDbContext"/> on the configured provider.</summary>
    public void Register(IServiceCollection services)
    {
        if (IsPostgres)
        {
            services.AddDbContext<HostingDbContext, PostgresHostingDbContext>((sp, b) => ApplyPostgres(b.AddInterceptors(RecorderOf(sp))));
        }
        else if (string.Equals(Provider, Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            services.AddDbContext<HostingDbContext>((sp, b) => ApplySqlite(b.AddInterceptors(RecorderOf(sp))));
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
        builder.UseSqlite(csb.ToString());
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
