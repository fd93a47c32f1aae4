using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Hosting.Persistence;

namespace Hosting.GrpcHost.Limits;

/// <summary>Where rate-limit budgets are counted.</summary>
public interface IRateLimitBudgets
{
    /// <summary>Spends one call of <paramref name="key"/>'s budget; null when it fits, else how long until one will.</summary>
    ValueTask<TimeSpan?> TrySpendAsync(string policy, string dimension, string key, int permits, TimeSpan window, CancellationToken ct);
}

/// <summary>Budgets in this host's memory: the SQLite store serves one host.</summary>
public sealed class MemoryRateLimitBudgets : IRateLimitBudgets, IDisposable
{
    private static readonly TimeSpan DefaultRetry = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<(string Policy, string Dimension), PartitionedRateLimiter<string>> _limiters = new();

    /// <inheritdoc />
    public ValueTask<TimeSpan?> TrySpendAsync(string policy, string dimension, string key, int permits, TimeSpan window, CancellationToken ct)
    {
        var limiter = _limiters.GetOrAdd((policy, dimension), _ => PartitionedRateLimiter.Create<string, string>(k =>
            RateLimitPartition.GetFixedWindowLimiter(k, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = window,
                QueueLimit = 0,
                AutoReplenishment = true,
            })));
        // A fixed window's permit comes back with the next window, not when the lease ends.
        using var lease = limiter.AttemptAcquire(key);
        return ValueTask.FromResult<TimeSpan?>(
            lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : DefaultRetry);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }
}

/// <summary>
/// Budgets in the shared PostgreSQL store, as fixed windows aligned to the window's length, so that
/// N hosts on one database together allow one budget rather than N.
/// </summary>
public sealed class SharedRateLimitBudgets(IServiceScopeFactory scopes, TimeProvider clock) : IRateLimitBudgets
{
    /// <inheritdoc />
    public async ValueTask<TimeSpan?> TrySpendAsync(string policy, string dimension, string key, int permits, TimeSpan window, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcTicks;
        var start = now / window.Ticks * window.Ticks;
        await using var scope = scopes.CreateAsyncScope();
        var count = await scope.ServiceProvider.GetRequiredService<HostingDbContext>().CountCallAsync($"{policy}/{dimension}/{key}", start, ct);
        return count <= permits ? null : TimeSpan.FromTicks(start + window.Ticks - now);
    }
}
