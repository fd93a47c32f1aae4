using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Reflection;
using Google.Protobuf;
using Google.Rpc;
using Grpc.AspNetCore.Server;
using Hosting.GrpcHost.Errors;
using Microsoft.Extensions.Options;

namespace Hosting.GrpcHost.Limits;

/// <summary>
/// Refuses a unary gRPC request whose frame declares more than the size limit, from its 5-byte header,
/// before the framework reads it, with ErrorInfo <c>REQUEST_TOO_LARGE</c>. It does not parse the
/// message: a malformed one is refused in the framework's own parse (<see cref="CheckedMethodProvider{TService}"/>).
/// </summary>
public sealed class MalformedRequestMiddleware(RequestDelegate next, IOptions<RequestLimitOptions> limits)
{
    private const int FrameHeaderLength = 5;

    /// <summary>Checks the request, then hands it on.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        if (method is null
            || method.Type != global::Grpc.Core.MethodType.Unary
            || context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
        {
            await next(context);
            return;
        }

        var max = limits.Value.MaxRequestBytes;
        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted);
            var buffer = read.Buffer;
            long? declared = buffer.Length >= FrameHeaderLength ? DeclaredLength(buffer) : null;
            if (declared > max)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                Refuse(context.Response, Code.ResourceExhausted, "REQUEST_TOO_LARGE", "The request is larger than this service accepts.");
                return;
            }

            if (declared is not null)
            {
                // Only the header was looked at: the gRPC framework reads the same bytes.
                reader.AdvanceTo(buffer.Start);
                break;
            }

            if (read.IsCompleted)
            {
                reader.AdvanceTo(buffer.Start); // a truncated frame: the framework reports it
                break;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }

        await next(context);
    }

    private static long DeclaredLength(ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[FrameHeaderLength];
        buffer.Slice(0, FrameHeaderLength).CopyTo(header);
        return BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
    }

    private static void Refuse(Microsoft.AspNetCore.Http.HttpResponse response, Code code, string reason, string message)
    {
        // A trailers-only response: the status travels in the headers of an empty reply.
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.Add(Google.Protobuf.WellKnownTypes.Any.Pack(new ErrorInfo { Reason = reason, Domain = RpcErrors.Domain }));
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = status.Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(status.Message);
        response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray());
    }

}
