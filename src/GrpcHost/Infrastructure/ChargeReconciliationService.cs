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
    ILogger<ChargeReconciliationService> logger) : PeriodicJob(scopes, clock, logger)
{
    /// <inheritdoc />
    protected override bool Enabled => options.Value.ReconcileEnabled;

    /// <inheritdoc />
    protected override TimeSpan Interval => options.Value.ReconcileInterval;

    /// <inheritdoc />
    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var settled = await services.GetRequiredService<WalletService>().Charges.SettleStaleAsync(options.Value.StaleAfter, ct);
        if (settled > 0)
        {
            LogSettled(logger, settled);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Charge reconciliation: {Settled} unsettled charges settled")]
    private static partial void LogSettled(ILogger logger, int settled);
}
