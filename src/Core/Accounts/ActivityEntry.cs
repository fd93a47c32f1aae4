namespace Hosting.Core.Accounts;

/// <summary>The kinds of activity the account holder sees (ACC-6).</summary>
public enum ActivityKind
{
    /// <summary>A successful sign-in.</summary>
    SignInSucceeded = 1,
    /// <summary>A failed sign-in on this account.</summary>
    SignInFailed = 2,
    /// <summary>A sign-in from a new device or network; an alert was queued.</summary>
    NewLocationSignIn = 3,
    /// <summary>A session was ended by its holder.</summary>
    SignedOut = 4,
    /// <summary>Password changed with the current one.</summary>
    PasswordChanged = 5,
    /// <summary>Password set with a reset token.</summary>
    PasswordReset = 6,
    /// <summary>A reset was asked for.</summary>
    PasswordResetRequested = 7,
    /// <summary>Recovery email changed.</summary>
    RecoveryEmailChanged = 8,
    /// <summary>2FA turned on.</summary>
    TwoFactorEnabled = 9,
    /// <summary>2FA turned off.</summary>
    TwoFactorDisabled = 10,
    /// <summary>A recovery code replaced a TOTP code.</summary>
    RecoveryCodeUsed = 11,
    /// <summary>The holder ended the other sessions.</summary>
    SessionsRevoked = 12,
    /// <summary>The account was created.</summary>
    AccountCreated = 13,
    /// <summary>The current organization was switched (ORG-5).</summary>
    OrganizationSwitched = 14,
    /// <summary>A mailbox password was unified with the account password (MBX-4).</summary>
    PasswordUnified = 15,
    /// <summary>A unification ended because one of its conditions stopped holding (MBX-4).</summary>
    UnificationEnded = 16,
}

/// <summary>One line of an account's activity log; append-only.</summary>
public sealed class ActivityEntry
{
    private ActivityEntry(Guid id, Guid accountId, DateTimeOffset at, ActivityKind kind, string? ipAddress, string? device)
    {
        Id = id;
        AccountId = accountId;
        At = at;
        Kind = kind;
        IpAddress = ipAddress;
        Device = device;
    }

    /// <summary>The entry's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The account.</summary>
    public Guid AccountId { get; private set; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset At { get; private set; }

    /// <summary>What happened.</summary>
    public ActivityKind Kind { get; private set; }

    /// <summary>The request's address.</summary>
    public string? IpAddress { get; private set; }

    /// <summary>The request's device id, else its user agent.</summary>
    public string? Device { get; private set; }

    /// <summary>A new entry.</summary>
    public static ActivityEntry Record(Guid id, Guid accountId, DateTimeOffset at, ActivityKind kind, SignInContext context) =>
        new(id, accountId, at, kind, context.IpAddress, context.DeviceId ?? context.UserAgent);
}
