namespace Hosting.Core.Accounts;

/// <summary>What a sign-in source is: the client's device, or the network it came from.</summary>
public enum SignInSourceKind
{
    /// <summary>A device identifier the client keeps.</summary>
    Device = 1,
    /// <summary>An address block.</summary>
    Network = 2,
}

/// <summary>A device or network an account has signed in from before (ACC-5); stored as a digest.</summary>
public sealed class KnownSignInSource
{
    private KnownSignInSource(Guid accountId, SignInSourceKind kind, string digest, DateTimeOffset firstSeenAt)
    {
        AccountId = accountId;
        Kind = kind;
        Digest = digest;
        FirstSeenAt = firstSeenAt;
    }

    /// <summary>The account.</summary>
    public Guid AccountId { get; private set; }

    /// <summary>Device or network.</summary>
    public SignInSourceKind Kind { get; private set; }

    /// <summary>SHA-256 of the device id or network.</summary>
    public string Digest { get; private set; }

    /// <summary>The first sign-in from it.</summary>
    public DateTimeOffset FirstSeenAt { get; private set; }

    /// <summary>Records a source.</summary>
    public static KnownSignInSource Record(Guid accountId, SignInSourceKind kind, string digest, DateTimeOffset now) =>
        new(accountId, kind, digest, now);
}
