using System.Security.Cryptography;
using System.Text;
using Hosting.Core.Shared;

namespace Hosting.Core.Wallets;

/// <summary>
/// The first outcome of a money-moving request under its client request id (WAL-5). Written in
/// the same commit as the movement, kept for good, so a retry never moves money twice.
/// </summary>
public sealed class IdempotencyRecord
{
    private IdempotencyRecord(string key, string fingerprint, DateTimeOffset createdAt)
    {
        Key = key;
        Fingerprint = fingerprint;
        CreatedAt = createdAt;
    }

    /// <summary>Organization and request id.</summary>
    public string Key { get; private set; }

    /// <summary>SHA-256 of the operation and its arguments.</summary>
    public string Fingerprint { get; private set; }

    /// <summary>When the first request was handled.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The id of what the request produced (a ledger transaction or a withdrawal), on success.</summary>
    public Guid? ResultId { get; private set; }

    /// <summary>The failure's kind, when it failed.</summary>
    public ErrorKind? ErrorKind { get; private set; }

    /// <summary>The failure's reason.</summary>
    public string? ErrorReason { get; private set; }

    /// <summary>The failure's message.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary>The key of a request id within an organization.</summary>
    public static string KeyOf(Guid organizationId, string requestId) => $"{organizationId:N}:{requestId}";

    /// <summary>The fingerprint of an operation and its arguments.</summary>
    public static string FingerprintOf(params object[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts.Select(p => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture))))));

    /// <summary>A success producing <paramref name="resultId"/>.</summary>
    public static IdempotencyRecord Succeeded(string key, string fingerprint, Guid resultId, DateTimeOffset now) =>
        new(key, fingerprint, now) { ResultId = resultId };

    /// <summary>A failure, replayed as is.</summary>
    public static IdempotencyRecord Failed(string key, string fingerprint, DomainError error, DateTimeOffset now) =>
        new(key, fingerprint, now) { ErrorKind = error.Kind, ErrorReason = error.Reason, ErrorMessage = error.Message };

    /// <summary>The recorded failure.</summary>
    public DomainError? Failure => ErrorKind is { } kind ? new DomainError(kind, ErrorReason!, ErrorMessage!) : null;
}
