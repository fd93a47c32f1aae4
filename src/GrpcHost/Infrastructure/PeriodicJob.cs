namespace Hosting.GrpcHost.Infrastructure;

/// <summary>
/// A background job run on a <see cref="TimeProvider"/> timer, each run in its own service scope;
/// a failed run is logged and the job goes on at the next tick.
/// </summary>
public abstract partial class PeriodicJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger logger) : BackgroundService
{
    /// <summary>Whether this host runs the job.</summary>
    protected abstract bool Enabled { get; }

    /// <summary>How often it runs.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>One run, with the run's scoped services.</summary>
    protected abstract Task RunAsync(IServiceProvider services, CancellationToken ct);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, clock);
        while (await NextTickAsync(timer, stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                if (!scope.ServiceProvider.GetRequiredService<StoreState>().Ready)
                {
                    continue; // the store is not reached yet at start: nothing to do until it is
                }

                await RunAsync(scope.ServiceProvider, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // one failed run must not stop the job for good
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFailed(logger, GetType().Name, e);
            }
        }
    }

    /// <summary>
    /// The next tick, or false once the host stops: a host that failed to start cancels its jobs
    /// without stopping them first, which would otherwise be logged as a failed job.
    /// </summary>
    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Job} run failed; retrying at the next tick")]
    private static partial void LogFailed(ILogger logger, string job, Exception exception);
}
