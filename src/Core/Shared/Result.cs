using System.Diagnostics.CodeAnalysis;

namespace Hosting.Core.Shared;

/// <summary>The outcome of an operation that can fail in an expected way.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, DomainError? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The failure, or null on success.</summary>
    public DomainError? Error { get; }

    /// <summary>Whether the operation succeeded.</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>The value; throws when the operation failed (a bug in the caller).</summary>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"No value: {Error.Reason}");

    /// <summary>A success.</summary>
    public static Result<T> Ok(T value) => new(value, null);

    /// <summary>A failure.</summary>
    public static Result<T> Fail(DomainError error) => new(default, error);

    /// <summary>Lifts a value.</summary>
    public static implicit operator Result<T>(T value) => Ok(value);

    /// <summary>Lifts a failure.</summary>
    public static implicit operator Result<T>(DomainError error) => Fail(error);
}

/// <summary>The unit value of operations that return nothing on success.</summary>
public readonly record struct Done
{
    /// <summary>The one value.</summary>
    public static readonly Done Value = default;
}
