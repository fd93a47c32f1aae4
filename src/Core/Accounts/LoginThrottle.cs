using Hosting.Core.Shared;

namespace Hosting.Core.Accounts;

/// <summary>
/// ACC-4 limits: a few free attempts, then a delay that doubles with each failure, then a
/// temporary lock.
/// </summary>
public sealed record ThrottlePolicy
{
    /// <summary>Failures allowed without any delay.</summary>
    public int FreeAttempts { get; init; } = 3;

    /// <summary>The delay after the first failure beyond the free ones; doubles from there.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest delay between attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Failures in a row that lock the login.</summary>
    public int LockAfter { get; init; } = 10;

    /// <summary>How long a lock lasts.</summary>
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Failed sign-ins for one login, kept whether or not an account has that login, so that the
/// throttle itself does not reveal which logins exist (ACC-4).
/// </summary>
public sealed class LoginThrottle
{
    private LoginThrottle(string loginDigest) => LoginDigest = loginDigest;

    /// <summary>SHA-256 of the normalized login (unknown logins are not stored in clear).</summary>
    public string LoginDigest { get; private set; }

    /// <summary>Failures since the last success or lock.</summary>
    public int Failures { get; private set; }

    /// <summary>The last failure.</summary>
    public DateTimeOffset? LastFailureAt { get; private set; }

    /// <summary>The end of the current lock, if any.</summary>
    public DateTimeOffset? LockedUntil { get; private set; }

    /// <summary>Optimistic concurrency token: concurrent failures must not be lost.</summary>
    public int Version { get; private set; }

    /// <summary>A throttle with no failures.</summary>
    public static LoginThrottle For(string loginDigest) => new(loginDigest);

    /// <summary>Refuses an attempt while locked or while the delay after the last failure runs.</summary>
    public DomainError? Check(DateTimeOffset now, ThrottlePolicy policy)
    {
        if (LockedUntil is { } until && now < until)
        {
            return AccountErrors.SignInLocked(until - now);
        }

        if (Failures >= policy.FreeAttempts && LastFailureAt is { } last)
        {
            var next = last + DelayAfter(Failures, policy);
            if (now < next)
            {
                return AccountErrors.SignInThrottled(next - now);
            }
        }

        return null;
    }

    /// <summary>Counts a failure, locking when the limit is reached.</summary>
    public void RecordFailure(DateTimeOffset now, ThrottlePolicy policy)
    {
        Failures++;
        LastFailureAt = now;
        if (Failures >= policy.LockAfter)
        {
            LockedUntil = now + policy.LockDuration;
            Failures = 0;
        }

        Version++;
    }

    /// <summary>A successful sign-in or a password reset starts afresh.</summary>
    public void Reset()
    {
        if (Failures == 0 && LockedUntil is null)
        {
            return;
        }

        Failures = 0;
        LastFailureAt = null;
        LockedUntil = null;
        Version++;
    }

    private static TimeSpan DelayAfter(int failures, ThrottlePolicy policy)
    {
        var doublings = Math.Min(failures - policy.FreeAttempts, 20);
        var delay = policy.BaseDelay * Math.Pow(2, doublings);
        return delay < policy.MaxDelay ? delay : policy.MaxDelay;
    }
}

/// <summary>Counting a failed attempt against a login's or an address's throttle (ACC-4, MBX-1).</summary>
public static class LoginThrottles
{
    /// <summary>
    /// Counts one failure on <paramref name="throttle"/> (a new one for <paramref name="key"/> when none
    /// is kept yet) and commits the store's unit of work with it.
    /// </summary>
    public static async Task RecordFailureAsync(this IAccountStore store, LoginThrottle? throttle, string key, DateTimeOffset now, ThrottlePolicy policy, CancellationToken ct)
    {
        if (throttle is null)
        {
            throttle = LoginThrottle.For(key);
            store.Add(throttle);
        }

        throttle.RecordFailure(now, policy);
        try
        {
            await store.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DuplicateKeyException)
        {
            // A concurrent failure created the throttle row first; that failure was counted.
        }
    }
}
