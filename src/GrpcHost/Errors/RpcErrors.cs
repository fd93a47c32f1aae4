using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Hosting.Core.Shared;

namespace Hosting.GrpcHost.Errors;

/// <summary>The one place where domain errors become gRPC statuses with google.rpc details (API-3).</summary>
public static class RpcErrors
{
    /// <summary>The ErrorInfo domain of every error of this service.</summary>
    public const string Domain = "hosting.example";

    /// <summary>The status code of each kind of failure.</summary>
    public static Google.Rpc.Code CodeOf(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => Google.Rpc.Code.InvalidArgument,
        ErrorKind.NotFound => Google.Rpc.Code.NotFound,
        ErrorKind.AlreadyExists => Google.Rpc.Code.AlreadyExists,
        ErrorKind.FailedPrecondition => Google.Rpc.Code.FailedPrecondition,
        ErrorKind.PermissionDenied => Google.Rpc.Code.PermissionDenied,
        ErrorKind.Unauthenticated => Google.Rpc.Code.Unauthenticated,
        ErrorKind.ResourceExhausted => Google.Rpc.Code.ResourceExhausted,
        ErrorKind.Aborted => Google.Rpc.Code.Aborted,
        ErrorKind.Unavailable => Google.Rpc.Code.Unavailable,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unmapped error kind."),
    };

    /// <summary>The RpcException carrying a domain error.</summary>
    public static RpcException ToRpcException(this DomainError error)
    {
        var info = new ErrorInfo { Reason = error.Reason, Domain = Domain };
        foreach (var (key, value) in error.Metadata)
        {
            info.Metadata[key] = value;
        }

        var status = new Google.Rpc.Status { Code = (int)CodeOf(error.Kind), Message = error.Message };
        status.Details.Add(Any.Pack(info));
        if (error.Fields.Count > 0)
        {
            var badRequest = new BadRequest();
            badRequest.FieldViolations.AddRange(error.Fields.Select(f => new BadRequest.Types.FieldViolation
            {
                Field = f.Field,
                Description = f.Description,
                Reason = f.Reason,
            }));
            status.Details.Add(Any.Pack(badRequest));
        }

        if (error.Preconditions.Count > 0)
        {
            var failure = new PreconditionFailure();
            failure.Violations.AddRange(error.Preconditions.Select(p => new PreconditionFailure.Types.Violation
            {
                Type = p.Type,
                Subject = p.Subject,
                Description = p.Description,
            }));
            status.Details.Add(Any.Pack(failure));
        }

        if (error.RetryAfter is { } retry)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retry) }));
        }

        return status.ToRpcException();
    }

    /// <summary>A status with only an ErrorInfo, for failures that are not domain errors.</summary>
    public static RpcException Plain(Google.Rpc.Code code, string reason, string message)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = reason, Domain = Domain }));
        return status.ToRpcException();
    }

    /// <summary>The value of a success, or the failure as an RpcException.</summary>
    public static T OrThrow<T>(this Result<T> result) =>
        result.IsSuccess ? result.Value : throw result.Error.ToRpcException();
}
