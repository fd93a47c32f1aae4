using Hosting.Core.Events;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>Forgets events older than the retention (EVT-2), on a <see cref="TimeProvider"/> timer.</summary>
public sealed partial class EventRetentionService(
    IServiceScopeFactory scopes,
    EventOptions options,
    TimeProvider clock,
    ILogger<EventRetentionService> logger) : PeriodicJob(scopes, clock, logger)
{
    /// <inheritdoc />
    protected override bool Enabled => options.PurgeInterval > TimeSpan.Zero;

    /// <inheritdoc />
    protected override TimeSpan Interval => options.PurgeInterval;

    /// <inheritdoc />
    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var purged = await services.GetRequiredService<EventFeed>().PurgeAsync(ct);
        LogRun(logger, purged);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event retention: {Purged} events older than the retention removed")]
    private static partial void LogRun(ILogger logger, int purged);
}
