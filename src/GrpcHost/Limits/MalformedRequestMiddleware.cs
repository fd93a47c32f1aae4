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
/// Parses a unary gRPC request before the gRPC framework does, so that one it cannot parse (a
/// string that is not UTF-8, a truncated field) is INVALID_ARGUMENT with ErrorInfo
/// <c>MALFORMED_REQUEST</c> rather than the framework's bare UNKNOWN.
/// </summary>
public sealed class MalformedRequestMiddleware(RequestDelegate next, IOptions<RequestLimitOptions> limits)
{
    private const int FrameHeaderLength = 5;

    private static readonly ConcurrentDictionary<Type, MessageParser?> Parsers = new();

    /// <summary>Checks the request, then hands it on.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        if (method is null
            || method.Type != global::Grpc.Core.MethodType.Unary
            || context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true
            || ParserOf(method) is not { } parser)
        {
            await next(context);
            return;
        }

        var body = await ReadBodyAsync(context.Request, limits.Value.MaxRequestBytes + FrameHeaderLength, context.RequestAborted);
        if (body is null)
        {
            Refuse(context.Response, Code.ResourceExhausted, "REQUEST_TOO_LARGE", "The request is larger than this service accepts.");
            return;
        }

        context.Request.Body = new MemoryStream(body, writable: false);
        if (IsMalformed(body, parser))
        {
            Refuse(context.Response, Code.InvalidArgument, "MALFORMED_REQUEST",
                "The request is not a valid message of this RPC (for example a string that is not UTF-8).");
            return;
        }

        await next(context);
    }

    private static bool IsMalformed(byte[] body, MessageParser parser)
    {
        if (body.Length < FrameHeaderLength || body[0] != 0)
        {
            return false; // no frame, or a compressed one: left to the framework
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1, 4));
        if (length > body.Length - FrameHeaderLength)
        {
            return false;
        }

        try
        {
            parser.ParseFrom(body.AsSpan(FrameHeaderLength, (int)length));
            return false;
        }
        catch (InvalidProtocolBufferException)
        {
            return true;
        }
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

    private static async Task<byte[]?> ReadBodyAsync(Microsoft.AspNetCore.Http.HttpRequest request, int max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static MessageParser? ParserOf(global::Grpc.Core.IMethod method) =>
        Parsers.GetOrAdd(method.GetType(), type =>
            type.IsGenericType
                ? type.GetGenericArguments()[0].GetProperty("Parser", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as MessageParser
                : null);
}
