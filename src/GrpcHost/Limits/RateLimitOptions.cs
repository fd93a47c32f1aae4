namespace Hosting.GrpcHost.Limits;

/// <summary>Rate limits per source address and per caller (configuration section <c>RateLimiting</c>).</summary>
public sealed class RateLimitOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "RateLimiting";

    /// <summary>Whether limits apply; off only for benchmarks and tests of other behaviour.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The limits of each policy named by <see cref="RateLimitedAttribute"/>.</summary>
    public Dictionary<string, RateLimitPolicy> Policies { get; set; } = new(StringComparer.Ordinal)
    {
        [RateLimitedAttribute.SignIn] = new() { PerAddress = 60, PerCaller = 0 },
        [RateLimitedAttribute.PasswordReset] = new() { PerAddress = 10, PerCaller = 0 },
        [RateLimitedAttribute.LoginConfirmation] = new() { PerAddress = 30, PerCaller = 10 },
        [RateLimitedAttribute.Invitation] = new() { PerAddress = 60, PerCaller = 30 },
        // Mail servers share one key: a per-caller budget would cap every mailbox login at once,
        // and guessing one mailbox's password is the per-mailbox throttle's job.
        [RateLimitedAttribute.MailboxCredentials] = new() { PerAddress = 6000, PerCaller = 0 },
    };
}

/// <summary>How many calls fit in one window, per source address and per authenticated caller (0: no limit).</summary>
public sealed class RateLimitPolicy
{
    /// <summary>Calls per window from one network address.</summary>
    public int PerAddress { get; set; }

    /// <summary>Calls per window from one signed-in user or API key.</summary>
    public int PerCaller { get; set; }

    /// <summary>The window.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
