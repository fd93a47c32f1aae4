using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence;

/// <summary>
/// The service's store: one configuration per aggregate, in <c>Configurations/</c>. This type
/// carries the SQLite migrations; <see cref="PostgresHostingDbContext"/> carries PostgreSQL's.
/// </summary>
public class HostingDbContext : DbContext
{
    /// <summary>A context on SQLite.</summary>
    public HostingDbContext(DbContextOptions<HostingDbContext> options)
        : base(options)
    {
    }

    /// <summary>A context for a derived provider-specific type.</summary>
    protected HostingDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(HostingDbContext).Assembly);

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset; store UTC ticks, which sort correctly everywhere.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetTicksConverter>();
    }
}
