using Hosting.Core.Wallets;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>Settings of the job that settles external charges left unsettled (WAL-7).</summary>
public sealed class ChargeReconciliationOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Payments";

    /// <summary>Whether this host runs the job (any number may: each attempt is settled once, under its concurrency token).</summary>
    public bool ReconcileEnabled { get; set; } = true;

    /// <summary>How often it runs.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an attempt may stay unsettled before the job settles it; longer than any request takes.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>Settles charges a crash or an abandoned request left behind, on a <see cref="TimeProvider"/> timer.</summary>
public sealed partial class ChargeReconciliationService(
    IServiceScopeFactory scopes,
    Microsoft.Extensions.Options.IOptions<ChargeReconciliationOptions> options,
    TimeProvider clock,
    ILogger<ChargeReconciliationService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ReconcileEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.ReconcileInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var settled = await scope.ServiceProvider.GetRequiredService<WalletService>().Charges.SettleStaleAsync(options.Value.StaleAfter, stoppingToken);
                if (settled > 0)
                {
                    LogSettled(logger, settled);
                }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Charge reconciliation: {Settled} unsettled charges settled")]
    private static partial void LogSettled(ILogger logger, int settled);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Charge reconciliation run failed; retrying at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
