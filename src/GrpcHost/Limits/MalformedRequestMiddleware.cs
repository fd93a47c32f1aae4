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
/// Parses a unary gRPC request before the gRPC framework does, so that one it cannot parse (a
/// string that is not UTF-8, a truncated field) is INVALID_ARGUMENT with ErrorInfo
/// <c>MALFORMED_REQUEST</c> rather than the framework's bare UNKNOWN. It reads the framework's
/// own buffer without consuming it, and refuses a frame declaring more than the size limit before
/// reading it. A compressed frame is decompressed with the framework's own provider for its
/// <c>grpc-encoding</c>, at most to the size limit, and checked alike.
/// </summary>
public sealed class MalformedRequestMiddleware(RequestDelegate next, IOptions<RequestLimitOptions> limits, IOptions<GrpcServiceOptions> grpc)
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

            if (declared is { } length && buffer.Length >= FrameHeaderLength + length)
            {
                var message = buffer.Slice(FrameHeaderLength, length);
                var verdict = buffer.FirstSpan[0] switch
                {
                    0 => Parses(parser, message) ? Verdict.Valid : Verdict.Malformed,
                    1 => CheckCompressed(parser, message, context.Request.Headers["grpc-encoding"].ToString(), max),
                    _ => Verdict.Valid, // not a gRPC frame flag: the framework reports it
                };
                // Nothing consumed: the gRPC framework reads the same bytes again.
                reader.AdvanceTo(buffer.Start);
                if (verdict == Verdict.TooLarge)
                {
                    Refuse(context.Response, Code.ResourceExhausted, "REQUEST_TOO_LARGE", "The request is larger than this service accepts.");
                    return;
                }

                if (verdict == Verdict.Malformed)
                {
                    Refuse(context.Response, Code.InvalidArgument, "MALFORMED_REQUEST",
                        "The request is not a valid message of this RPC (for example a string that is not UTF-8).");
                    return;
                }

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

    private enum Verdict
    {
        Valid,
        Malformed,
        TooLarge,
    }

    /// <summary>
    /// Decompresses with the provider the framework itself would use; an encoding it does not know is
    /// left to the framework, which answers UNIMPLEMENTED. The decompressed size is bounded by the
    /// same limit as plain requests, so a small compressed frame cannot inflate without bound.
    /// </summary>
    private Verdict CheckCompressed(MessageParser parser, ReadOnlySequence<byte> message, string encoding, int max)
    {
        var provider = grpc.Value.CompressionProviders.FirstOrDefault(p => string.Equals(p.EncodingName, encoding, StringComparison.Ordinal));
        if (provider is null)
        {
            return Verdict.Valid;
        }

        using var decompressed = new MemoryStream();
        try
        {
            using var source = provider.CreateDecompressionStream(new MemoryStream(message.ToArray(), writable: false));
            var chunk = new byte[8192];
            int read;
            while ((read = source.Read(chunk, 0, chunk.Length)) > 0)
            {
                decompressed.Write(chunk, 0, read);
                if (decompressed.Length > max)
                {
                    return Verdict.TooLarge;
                }
            }
        }
        catch (InvalidDataException)
        {
            return Verdict.Malformed; // not valid data of its encoding
        }

        return Parses(parser, new ReadOnlySequence<byte>(decompressed.GetBuffer(), 0, (int)decompressed.Length)) ? Verdict.Valid : Verdict.Malformed;
    }

    private static long DeclaredLength(ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[FrameHeaderLength];
        buffer.Slice(0, FrameHeaderLength).CopyTo(header);
        return BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
    }

    private static bool Parses(MessageParser parser, ReadOnlySequence<byte> message)
    {
        try
        {
            parser.ParseFrom(message);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
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

    private static MessageParser? ParserOf(global::Grpc.Core.IMethod method) =>
        Parsers.GetOrAdd(method.GetType(), type =>
            type.IsGenericType
                ? type.GetGenericArguments()[0].GetProperty("Parser", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as MessageParser
                : null);
}
