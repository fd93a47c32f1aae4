using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Hosting.Persistence;

/// <summary>Where the store lives. SQLite is the embedded default.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Storage";

    /// <summary>The provider; only <c>Sqlite</c> for now.</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>The connection string; defaults to a file under <c>./data</c>.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/hosting.db";

    /// <summary>Configures EF for these options, creating the SQLite file's folder if needed.</summary>
    public void Apply(DbContextOptionsBuilder builder)
    {
        if (!string.Equals(Provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Unknown storage provider '{Provider}'. Supported: Sqlite.");
        }

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
        builder.UseSqlite(csb.ToString(), o => o.MigrationsAssembly(typeof(HostingDbContext).Assembly.GetName().Name));
    }
}

/// <summary>For <c>dotnet ef migrations add</c>.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<HostingDbContext>
{
    /// <inheritdoc />
    public HostingDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<HostingDbContext>();
        new StorageOptions { ConnectionString = "Data Source=:memory:" }.Apply(builder);
        return new HostingDbContext(builder.Options);
    }
}
