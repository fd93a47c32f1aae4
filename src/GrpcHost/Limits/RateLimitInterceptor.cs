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
public sealed class RateLimitInterceptor(IOptions<RateLimitOptions> options, ClientAddress clientAddress, IRateLimitBudgets budgets) : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var policyName = context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<RateLimitedAttribute>()?.Policy;
        if (policyName is null || !options.Value.Enabled || !options.Value.Policies.TryGetValue(policyName, out var policy))
        {
            return await continuation(request, context);
        }

        await SpendAsync(policyName, "address", policy.PerAddress, policy.Window, AddressOf(context), context.CancellationToken);
        await SpendAsync(policyName, "caller", policy.PerCaller, policy.Window, CallerKey(context), context.CancellationToken);
        return await continuation(request, context);
    }

    private async Task SpendAsync(string policy, string dimension, int permits, TimeSpan window, string? key, CancellationToken ct)
    {
        if (permits <= 0 || key is null)
        {
            return;
        }

        if (await budgets.TrySpendAsync(policy, dimension, key, permits, window, ct) is not { } retry)
        {
            return;
        }

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
