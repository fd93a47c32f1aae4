using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Hosting.Core.Shared;
using Hosting.GrpcHost.Callers;
using Hosting.GrpcHost.Errors;
using Microsoft.Extensions.Options;

namespace Hosting.GrpcHost.Limits;

/// <summary>
/// Refuses calls of a rate-limited RPC beyond its policy's budget per source address and per
/// caller, with RESOURCE_EXHAUSTED and the delay after which a call will be accepted again.
/// Runs after the caller is authenticated, so unauthenticated calls spend no budget of a real caller.
/// </summary>
public sealed class RateLimitInterceptor(IOptions<RateLimitOptions> options, ClientAddress clientAddress) : Interceptor, IDisposable
{
    private static readonly TimeSpan DefaultRetry = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<(string Policy, string Dimension), PartitionedRateLimiter<string>> _limiters = new();

    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var policyName = context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<RateLimitedAttribute>()?.Policy;
        if (policyName is null || !options.Value.Enabled || !options.Value.Policies.TryGetValue(policyName, out var policy))
        {
            return await continuation(request, context);
        }

        using var byAddress = Acquire(policyName, "address", policy.PerAddress, policy.Window, AddressOf(context));
        using var byCaller = Acquire(policyName, "caller", policy.PerCaller, policy.Window, CallerKey(context));
        return await continuation(request, context);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }

    private RateLimitLease? Acquire(string policy, string dimension, int permits, TimeSpan window, string? key)
    {
        if (permits <= 0 || key is null)
        {
            return null;
        }

        var limiter = _limiters.GetOrAdd((policy, dimension), _ => PartitionedRateLimiter.Create<string, string>(k =>
            RateLimitPartition.GetFixedWindowLimiter(k, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = window,
                QueueLimit = 0,
                AutoReplenishment = true,
            })));
        var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return lease;
        }

        var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : DefaultRetry;
        lease.Dispose();
        throw new DomainError(ErrorKind.ResourceExhausted, "RATE_LIMITED", $"Too many calls of this kind from this {dimension}; try again later.")
        {
            RetryAfter = retry,
            Metadata = new Dictionary<string, string> { ["limit"] = dimension, ["policy"] = policy },
        }.ToRpcException();
    }

    private string AddressOf(ServerCallContext context)
    {
        var address = clientAddress.Of(context);
        if (address is null)
        {
            return "local";
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            // One budget per /64: a single subscriber usually holds a whole /64 and could rotate through it.
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new System.Net.IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }

    private static string? CallerKey(ServerCallContext context) =>
        CallerInterceptor.CallerOf(context) switch
        {
            UserCaller user => $"user:{user.User.AccountId}",
            ServiceCaller service => $"service:{service.Name}",
            _ => null,
        };
}
