namespace Hosting.Core.Shared;

/// <summary>How a failure is to be understood by a caller; the transport maps each kind to one status.</summary>
public enum ErrorKind
{
    /// <summary>The request itself is malformed or breaks a rule about its values.</summary>
    InvalidArgument,
    /// <summary>The thing named does not exist (or the caller may not know it exists).</summary>
    NotFound,
    /// <summary>The thing to create exists already.</summary>
    AlreadyExists,
    /// <summary>The system is not in the state the operation needs.</summary>
    FailedPrecondition,
    /// <summary>The caller is known but lacks the right.</summary>
    PermissionDenied,
    /// <summary>The caller is not (or no longer) authenticated.</summary>
    Unauthenticated,
    /// <summary>A limit or throttle refuses the call for now.</summary>
    ResourceExhausted,
    /// <summary>A concurrent change won; read again and retry.</summary>
    Aborted,
    /// <summary>A dependency (a payment gateway) did not answer; the same call may be retried.</summary>
    Unavailable,
}

/// <summary>A field of the request that broke a rule, named as in the API.</summary>
public sealed record FieldViolation(string Field, string Reason, string Description);

/// <summary>
/// An expected failure: a stable upper-snake <see cref="Reason"/>, a human message that never
/// contains a secret, and optional field violations, unmet conditions and a retry delay.
/// </summary>
public sealed record DomainError(ErrorKind Kind, string Reason, string Message)
{
    /// <summary>Request fields at fault.</summary>
    public IReadOnlyList<FieldViolation> Fields { get; init; } = [];

    /// <summary>Each unmet condition, as (type, subject, description).</summary>
    public IReadOnlyList<(string Type, string Subject, string Description)> Preconditions { get; init; } = [];

    /// <summary>When the caller may try again, for throttles.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Extra values of the message (never secrets), carried as ErrorInfo metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>An invalid-argument error about one field.</summary>
    public static DomainError Invalid(string field, string reason, string description) =>
        new(ErrorKind.InvalidArgument, reason, description) { Fields = [new FieldViolation(field, reason, description)] };

    /// <summary>The same error, reported against another request field name.</summary>
    public DomainError ForField(string field) =>
        this with { Fields = Fields.Select(f => f with { Field = field }).ToArray() };
}
