using Grpc.Core;
using Grpc.Core.Interceptors;
using Hosting.GrpcHost.Errors;

namespace Hosting.GrpcHost.Callers;

/// <summary>Authenticates every call as its RPC declares, before the service sees it (API-2).</summary>
public sealed class CallerInterceptor(CallerAuthenticator authenticator) : Interceptor
{
    private const string ItemKey = "hosting.caller";

    // Infrastructure services from packages cannot carry our attributes; they are open by design.
    private static readonly string[] OpenInfrastructure = ["/grpc.health.v1.Health/", "/grpc.reflection."];

    /// <summary>The caller established for this call.</summary>
    public static Caller CallerOf(ServerCallContext context) =>
        context.GetHttpContext().Items[ItemKey] as Caller
        ?? throw new InvalidOperationException("No caller was established for this call.");

    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        return await continuation(request, context);
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        await continuation(request, responseStream, context);
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        return await continuation(requestStream, context);
    }

    /// <inheritdoc />
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    private async Task AuthenticateAsync(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var requirement = http.GetEndpoint()?.Metadata.GetMetadata<CallerAttribute>();
        if (requirement is null && OpenInfrastructure.Any(p => context.Method.StartsWith(p, StringComparison.Ordinal)))
        {
            requirement = new AnonymousCallerAttribute();
        }

        var caller = await authenticator.AuthenticateAsync(requirement, context.RequestHeaders, context.CancellationToken);
        if (!caller.IsSuccess)
        {
            throw caller.Error.ToRpcException();
        }

        http.Items[ItemKey] = caller.Value;
    }
}
