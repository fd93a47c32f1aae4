using Hosting.Core.Shared;
using Hosting.Persistence.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

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

    private UnitOfWork? _work;

    /// <summary>The write side of this context's unit of work.</summary>
    internal UnitOfWork Work => _work ??= new UnitOfWork(this);

    private bool _detectionPausedForSave;

    /// <summary>Turns automatic change detection off for the save under way: the event recorder has just detected the changes.</summary>
    internal void PauseChangeDetectionForSave()
    {
        if (ChangeTracker.AutoDetectChangesEnabled)
        {
            ChangeTracker.AutoDetectChangesEnabled = false;
            _detectionPausedForSave = true;
        }
    }

    /// <summary>Turns automatic change detection back on if a save paused it.</summary>
    internal void ResumeChangeDetection()
    {
        if (_detectionPausedForSave)
        {
            _detectionPausedForSave = false;
            ChangeTracker.AutoDetectChangesEnabled = true;
        }
    }

    private Action? _giveBack;

    /// <summary>Whether this context runs on SQLite: the connection's type, as EF's provider name costs a reflection lookup per call.</summary>
    internal bool OnSqlite => Database.GetDbConnection() is Microsoft.Data.Sqlite.SqliteConnection;

    /// <summary>Runs this context on a connection lent by a pool, given back when the context is disposed.</summary>
    internal void UseLentConnection(System.Data.Common.DbConnection connection, Action giveBack)
    {
        Database.SetDbConnection(connection, contextOwnsConnection: false);
        _giveBack = giveBack;
    }

    /// <summary>Forgets loaded and pending changes, pending numbers and an open write transaction, for a retry.</summary>
    internal void Forget()
    {
        _work?.Reset();
        ChangeTracker.Clear();
        ResumeChangeDetection();
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _work?.Reset();
        base.Dispose();
        Interlocked.Exchange(ref _giveBack, null)?.Invoke();
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        _work?.Reset();
        await base.DisposeAsync();
        Interlocked.Exchange(ref _giveBack, null)?.Invoke();
    }

    /// <inheritdoc />
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        // EVT-1 holds for every context, the host's and an embedder's: one built without the
        // recorder gets one on the system clock.
        var interceptors = optionsBuilder.Options.FindExtension<CoreOptionsExtension>()?.Interceptors ?? [];
        if (!interceptors.OfType<EventRecorder>().Any())
        {
            optionsBuilder.AddInterceptors(new EventRecorder(TimeProvider.System, new SystemSecretGenerator()));
        }
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
