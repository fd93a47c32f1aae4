namespace Hosting.Core.Accounts;

/// <summary>A signed-in session (ACC-3): the bearer token is shown once and stored only as a digest.</summary>
public sealed class Session
{
    private Session(Guid id, Guid accountId, string tokenDigest, DateTimeOffset createdAt, DateTimeOffset expiresAt, string? deviceId, string? userAgent, string? ipAddress)
    {
        Id = id;
        AccountId = accountId;
        TokenDigest = tokenDigest;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
        LastUsedAt = createdAt;
        DeviceId = deviceId;
        UserAgent = userAgent;
        IpAddress = ipAddress;
    }

    /// <summary>The session's id (not its token).</summary>
    public Guid Id { get; private set; }

    /// <summary>The account signed in.</summary>
    public Guid AccountId { get; private set; }

    /// <summary>SHA-256 of the bearer token.</summary>
    public string TokenDigest { get; private set; }

    /// <summary>When it was opened.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When it stops being accepted.</summary>
    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>When it last authenticated a call, to a precision of <see cref="TouchInterval"/>.</summary>
    public DateTimeOffset LastUsedAt { get; private set; }

    /// <summary>When it was ended, if it was.</summary>
    public DateTimeOffset? EndedAt { get; private set; }

    /// <summary>The client's device identifier at sign-in.</summary>
    public string? DeviceId { get; private set; }

    /// <summary>The client's user agent at sign-in.</summary>
    public string? UserAgent { get; private set; }

    /// <summary>The network address at sign-in.</summary>
    public string? IpAddress { get; private set; }

    /// <summary>Opens a session.</summary>
    public static Session Open(Guid id, Guid accountId, string tokenDigest, DateTimeOffset now, TimeSpan lifetime, SignInContext context) =>
        new(id, accountId, tokenDigest, now, now + lifetime, context.DeviceId, context.UserAgent, context.IpAddress);

    /// <summary>
    /// How stale <see cref="LastUsedAt"/> may get before a call records its use: a write per call
    /// would make every read RPC a write, and idle timeouts are measured in hours.
    /// </summary>
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    /// <summary>Whether the token is accepted at <paramref name="now"/>: not ended, not expired, not unused for <paramref name="idleTimeout"/>.</summary>
    public bool IsActive(DateTimeOffset now, TimeSpan idleTimeout) => EndedAt is null && now < ExpiresAt && now - LastUsedAt < idleTimeout;

    /// <summary>Records a use at <paramref name="now"/>; false when the last one recorded is recent enough.</summary>
    public bool Touch(DateTimeOffset now)
    {
        if (now - LastUsedAt < TouchInterval)
        {
            return false;
        }

        LastUsedAt = now;
        return true;
    }

    /// <summary>Ends the session; ending twice keeps the first time.</summary>
    public void End(DateTimeOffset now) => EndedAt ??= now;
}
