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

/// <summary>How the host waits for a store that is not reachable at start (configuration section <c>Storage</c>).</summary>
public sealed class StoreStartupOptions
{
    /// <summary>The first wait before trying again; each later wait doubles, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two tries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
}

internal static partial class StoreStartup
{
    /// <summary>
    /// Applies the checked-in migrations, then marks the store ready. A store that cannot be reached
    /// yet (PostgreSQL still starting) does not stop the host: it serves, with health NOT_SERVING and
    /// calls UNAVAILABLE, and keeps trying with growing waits until the store answers.
    /// </summary>
    public static async Task MigrateStoreAsync(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StoreStartup).FullName!);
        try
        {
            await MigrateOnceAsync(app.Services, CancellationToken.None);
        }
        catch (Exception e) when (Hosting.Persistence.StoreFailures.IsUnavailable(e))
        {
            var options = app.Configuration.GetSection(Hosting.Persistence.StorageOptions.Section).Get<StoreStartupOptions>() ?? new StoreStartupOptions();
            LogUnreachable(logger, e.GetType().Name, options.FirstRetryDelay);
            _ = RetryAsync(app.Services, options, logger, app.Lifetime.ApplicationStopping);
        }
    }

    private static async Task RetryAsync(IServiceProvider services, StoreStartupOptions options, ILogger logger, CancellationToken stopping)
    {
        var clock = services.GetRequiredService<TimeProvider>();
        var delay = options.FirstRetryDelay;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, clock, stopping);
                await MigrateOnceAsync(services, stopping);
                LogReachable(logger);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (Hosting.Persistence.StoreFailures.IsUnavailable(e))
            {
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
                LogUnreachable(logger, e.GetType().Name, delay);
            }
#pragma warning disable CA1031 // anything else (a failed migration) is logged and the host stops, as a failure at start would
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogMigrationFailed(logger, e);
                services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
                return;
            }
        }
    }

    private static async Task MigrateOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<HostingDbContext>().MigrateStoreAsync(ct);
        }

        services.GetRequiredService<StoreState>().MarkReady();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The store cannot be reached ({Failure}); health reports NOT_SERVING; trying again in {Delay}")]
    private static partial void LogUnreachable(ILogger logger, string failure, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "The store is reachable and migrated; serving")]
    private static partial void LogReachable(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Migrating the store failed; stopping")]
    private static partial void LogMigrationFailed(ILogger logger, Exception exception);
}

/// <summary>Answers UNAVAILABLE, before any store access, while the store has not been reached and migrated yet.</summary>
public sealed class StoreReadyInterceptor(StoreState state) : global::Grpc.Core.Interceptors.Interceptor
{
    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, global::Grpc.Core.ServerCallContext context, global::Grpc.Core.UnaryServerMethod<TRequest, TResponse> continuation)
    {
        // Health and reflection do not need the store: health is how clients learn it is not there yet.
        if (!state.Ready && !context.Method.StartsWith("/grpc.", StringComparison.Ordinal))
        {
            throw Hosting.GrpcHost.Errors.RpcErrors.Plain(Google.Rpc.Code.Unavailable, "STORE_UNAVAILABLE", "The store cannot be reached right now; try again shortly.");
        }

        return continuation(request, context);
    }
}
