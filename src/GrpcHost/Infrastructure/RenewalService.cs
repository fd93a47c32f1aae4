using Hosting.Core.Billing;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>Settings of the automatic renewal job (BIL-7).</summary>
public sealed class RenewalOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Renewals";

    /// <summary>Whether this host runs the job (one host is enough; a run is idempotent per product and day).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often it runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Runs the automatic renewals on a <see cref="TimeProvider"/> timer.</summary>
public sealed partial class RenewalService(
    IServiceScopeFactory scopes,
    Microsoft.Extensions.Options.IOptions<RenewalOptions> options,
    TimeProvider clock,
    ILogger<RenewalService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var renewed = await scope.ServiceProvider.GetRequiredService<BillingService>().RunRenewalsAsync(stoppingToken);
                LogRun(logger, renewed);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // one failed run must not stop the job for good
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Automatic renewals: {Renewed} renewed")]
    private static partial void LogRun(ILogger logger, int renewed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Automatic renewal run failed; retrying at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
