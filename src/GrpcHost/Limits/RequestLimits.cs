using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Hosting.Core.Shared;
using Hosting.GrpcHost.Errors;
using Microsoft.Extensions.Options;

namespace Hosting.GrpcHost.Limits;

/// <summary>Bounds every request (configuration section <c>Limits</c>).</summary>
public sealed class RequestLimitOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Limits";

    /// <summary>The largest request message accepted, in bytes (a logo of 1 MiB fits with room).</summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// The longest string accepted in any field, in UTF-16 units. Domain rules set tighter limits on
    /// most fields; this one bounds the rest, so no request stores or echoes megabytes of text.
    /// </summary>
    public int MaxStringLength { get; set; } = 4096;

    /// <summary>The most items accepted in any repeated field.</summary>
    public int MaxRepeatedCount { get; set; } = 1000;
}

/// <summary>
/// Refuses a request with an over-long string or list, or a timestamp or duration outside its
/// type's range, before any work is done.
/// </summary>
public sealed class RequestLimitsInterceptor(IOptions<RequestLimitOptions> options) : Interceptor
{
    // The ranges of google.protobuf.Timestamp and Duration; beyond them the types throw on conversion.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;
    private const long MaxDurationSeconds = 315_576_000_000;
    private const int MaxNanos = 999_999_999;

    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (request is IMessage message && FirstViolation(message, "", options.Value) is { } error)
        {
            throw error.ToRpcException();
        }

        return continuation(request, context);
    }

    /// <summary>The first field of <paramref name="message"/> beyond the limits, if any.</summary>
    public static DomainError? FirstViolation(IMessage message, string prefix, RequestLimitOptions limits)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var path = prefix + field.Name;
            var value = field.Accessor.GetValue(message);
            if (field.IsMap)
            {
                continue;
            }

            if (field.IsRepeated)
            {
                var items = (System.Collections.IList)value;
                if (items.Count > limits.MaxRepeatedCount)
                {
                    return DomainError.Invalid(path, "TOO_MANY_ITEMS", $"At most {limits.MaxRepeatedCount} items are accepted.");
                }

                for (var i = 0; i < items.Count; i++)
                {
                    if (Check(field, items[i], $"{path}[{i}]", limits) is { } itemError)
                    {
                        return itemError;
                    }
                }
            }
            else if (Check(field, value, path, limits) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static DomainError? Check(FieldDescriptor field, object? value, string path, RequestLimitOptions limits) =>
        (field.FieldType, value) switch
        {
            (FieldType.String, string s) when s.Length > limits.MaxStringLength =>
                DomainError.Invalid(path, "FIELD_TOO_LONG", $"At most {limits.MaxStringLength} characters are accepted."),
            (FieldType.Message, Timestamp t) when t.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds || t.Nanos is < 0 or > MaxNanos =>
                DomainError.Invalid(path, "INVALID_TIMESTAMP", "A timestamp must lie between years 1 and 9999, with nanos in 0..999999999."),
            (FieldType.Message, Duration d) when d.Seconds is < -MaxDurationSeconds or > MaxDurationSeconds || d.Nanos is < -MaxNanos or > MaxNanos
                || (d.Seconds < 0 && d.Nanos > 0) || (d.Seconds > 0 && d.Nanos < 0) =>
                DomainError.Invalid(path, "INVALID_DURATION", "A duration must be within 10000 years, with seconds and nanos of one sign."),
            (FieldType.Message, IMessage nested) => FirstViolation(nested, path + ".", limits),
            _ => null,
        };
}
