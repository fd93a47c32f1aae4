using Google.Rpc;
using Grpc.Core;

namespace Hosting.GrpcHost.Errors;

/// <summary>
/// Over HTTP/JSON, a refusal that carries a google.rpc.RetryInfo also says when to retry in the
/// standard <c>Retry-After</c> header, which HTTP clients and proxies read without parsing the body.
/// gRPC answers are left as they are: their clients read RetryInfo.
/// </summary>
public static class RetryAfterHeader
{
    /// <summary>Sets <c>Retry-After</c> (whole seconds, rounded up) on a transcoded call's response when the error has a RetryInfo.</summary>
    public static void Apply(ServerCallContext context, RpcException error)
    {
        // A RetryInfo is only ever attached to RESOURCE_EXHAUSTED; anything else (and a call already
        // abandoned by its client) leaves the response untouched.
        if (error.StatusCode != StatusCode.ResourceExhausted || context.CancellationToken.IsCancellationRequested)
        {
            return;
        }

        var http = context.GetHttpContext();
        if (http.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true
            || http.Response.HasStarted
            || error.GetRpcStatus()?.GetDetail<RetryInfo>() is not { RetryDelay: { } delay })
        {
            return;
        }

        var seconds = Math.Max(1, (long)Math.Ceiling(delay.ToTimeSpan().TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
