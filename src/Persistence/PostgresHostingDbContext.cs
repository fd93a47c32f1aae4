using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence;

/// <summary>The same model on PostgreSQL; its own type so that its migrations are kept apart from SQLite's.</summary>
public sealed class PostgresHostingDbContext(DbContextOptions<PostgresHostingDbContext> options) : HostingDbContext(options);
