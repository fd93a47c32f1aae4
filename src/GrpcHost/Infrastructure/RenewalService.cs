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
    ILogger<RenewalService> logger) : PeriodicJob(scopes, clock, logger)
{
    /// <inheritdoc />
    protected override bool Enabled => options.Value.Enabled;

    /// <inheritdoc />
    protected override TimeSpan Interval => options.Value.Interval;

    /// <inheritdoc />
    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var renewed = await services.GetRequiredService<BillingService>().RunRenewalsAsync(ct);
        LogRun(logger, renewed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Automatic renewals: {Renewed} renewed")]
    private static partial void LogRun(ILogger logger, int renewed);
}
