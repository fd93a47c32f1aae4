using Grpc.Core;
using Grpc.Core.Interceptors;
using Hosting.Core.Shared;

namespace Hosting.GrpcHost.Errors;

/// <summary>
/// The outermost interceptor: store conflicts become ABORTED, anything unexpected becomes INTERNAL
/// with no text of the exception (it is logged here, without request data).
/// </summary>
public sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger) : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException e)
        {
            RetryAfterHeader.Apply(context, e);
            throw;
        }
        catch (ConcurrencyConflictException)
        {
            throw RpcErrors.Plain(Google.Rpc.Code.Aborted, "CONCURRENT_MODIFICATION", "A concurrent request changed the same data; try again.");
        }
        catch (DuplicateKeyException)
        {
            throw RpcErrors.Plain(Google.Rpc.Code.Aborted, "CONCURRENT_MODIFICATION", "A concurrent request created the same data; try again.");
        }
        // Once the call is cancelled, whatever failed after (an interrupted SQLite command, an
        // aborted Npgsql read) failed because of it: report the cancellation, not an internal error.
        catch (Exception) when (context.CancellationToken.IsCancellationRequested && context.Deadline <= DateTime.UtcNow)
        {
            throw RpcErrors.Plain(Google.Rpc.Code.DeadlineExceeded, "DEADLINE_EXCEEDED", "The call's deadline passed before it finished.");
        }
        catch (Exception) when (context.CancellationToken.IsCancellationRequested)
        {
            throw RpcErrors.Plain(Google.Rpc.Code.Cancelled, "CANCELLED", "The call was cancelled.");
        }
        catch (Exception e) when (Hosting.Persistence.StoreFailures.IsConflict(e))
        {
            throw RpcErrors.Plain(Google.Rpc.Code.Aborted, "CONCURRENT_MODIFICATION", "A concurrent request changed the same data; try again.");
        }
        catch (Exception e) when (Hosting.Persistence.StoreFailures.IsUnavailable(e))
        {
            LogStoreUnavailable(logger, context.Method, e.GetType().Name);
            throw RpcErrors.Plain(Google.Rpc.Code.Unavailable, "STORE_UNAVAILABLE", "The store cannot be reached right now; try again shortly.");
        }
#pragma warning disable CA1031 // the boundary: nothing unexpected may leak its text to a client
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogUnexpected(logger, e, context.Method);
            throw RpcErrors.Plain(Google.Rpc.Code.Internal, "INTERNAL", "An internal error occurred.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store unavailable in {Method} ({Failure})")]
    private static partial void LogStoreUnavailable(ILogger logger, string method, string failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure in {Method}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method);
}
