namespace Hosting.Core.Accounts;

/// <summary>A single-use, expiring password reset token (ACC-8); stored as a digest.</summary>
public sealed class PasswordResetToken
{
    private PasswordResetToken(Guid id, Guid accountId, string tokenDigest, DateTimeOffset createdAt, DateTimeOffset expiresAt)
    {
        Id = id;
        AccountId = accountId;
        TokenDigest = tokenDigest;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
    }

    /// <summary>The token's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The account it resets.</summary>
    public Guid AccountId { get; private set; }

    /// <summary>SHA-256 of the token.</summary>
    public string TokenDigest { get; private set; }

    /// <summary>When it was issued.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When it stops working.</summary>
    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>When it was used or voided, if it was.</summary>
    public DateTimeOffset? UsedAt { get; private set; }

    /// <summary>Issues a token.</summary>
    public static PasswordResetToken Issue(Guid id, Guid accountId, string tokenDigest, DateTimeOffset now, TimeSpan lifetime) =>
        new(id, accountId, tokenDigest, now, now + lifetime);

    /// <summary>Voids an unused token: a reset, a password change or a newer request replaced it (ACC-8).</summary>
    public void Void(DateTimeOffset now) => UsedAt ??= now;

    /// <summary>Uses the token once.</summary>
    public Shared.Result<Shared.Done> Use(DateTimeOffset now)
    {
        if (UsedAt is not null)
        {
            return AccountErrors.ResetTokenUsed;
        }

        if (now >= ExpiresAt)
        {
            return AccountErrors.ResetTokenExpired;
        }

        UsedAt = now;
        return Shared.Done.Value;
    }
}
