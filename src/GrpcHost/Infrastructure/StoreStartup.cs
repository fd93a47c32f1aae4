using Hosting.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>Whether the store has been migrated; health reports SERVING only after that.</summary>
public sealed class StoreState
{
    private volatile bool _ready;

    /// <summary>Whether migrations have been applied.</summary>
    public bool Ready => _ready;

    /// <summary>Marks the store ready.</summary>
    public void MarkReady() => _ready = true;
}

/// <summary>The store's health: migrated and reachable.</summary>
public sealed class StoreHealthCheck(StoreState state, HostingDbContext db) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.Ready)
        {
            return HealthCheckResult.Unhealthy("The store is not migrated yet.");
        }

        return await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The store cannot be reached.");
    }
}

internal static class StoreStartup
{
    /// <summary>Applies the checked-in migrations, then marks the store ready.</summary>
    public static async Task MigrateStoreAsync(this WebApplication app)
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<HostingDbContext>().MigrateStoreAsync();
        }

        app.Services.GetRequiredService<StoreState>().MarkReady();
    }
}
