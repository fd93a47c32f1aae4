namespace Hosting.Core.Shared;

/// <summary>A concurrent change to the same data won; the caller reads again and retries (ABORTED).</summary>
public sealed class ConcurrencyConflictException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A unique key the store enforces was taken by a concurrent write.</summary>
public sealed class DuplicateKeyException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The store's name of the key or table that was taken, when the store tells it.</summary>
    public string? Key { get; init; }
}
