using Hosting.Core.Shared;

namespace Hosting.Core.Accounts;

/// <summary>The expected failures of accounts and sessions, one per rule, each with its stable reason.</summary>
public static class AccountErrors
{
    /// <summary>ACC-3: the same for an unknown login and a wrong password.</summary>
    public static readonly DomainError InvalidCredentials =
        new(ErrorKind.Unauthenticated, "INVALID_CREDENTIALS", "The login or the password is wrong.");

    /// <summary>ACC-1: logins are unique.</summary>
    public static readonly DomainError LoginTaken =
        new(ErrorKind.AlreadyExists, "LOGIN_TAKEN", "An account with this login exists already.")
        {
            Fields = [new FieldViolation("login", "LOGIN_TAKEN", "An account with this login exists already.")],
        };

    /// <summary>ACC-9 and the other calls that need the current password.</summary>
    public static readonly DomainError WrongPassword =
        DomainError.Invalid("current_password", "WRONG_PASSWORD", "The current password is wrong.") with { Kind = ErrorKind.PermissionDenied };

    /// <summary>API-2: no bearer token.</summary>
    public static readonly DomainError SessionRequired =
        new(ErrorKind.Unauthenticated, "SESSION_REQUIRED", "This call needs a session token in the authorization metadata.");

    /// <summary>API-2: unknown, ended or expired token.</summary>
    public static readonly DomainError SessionInvalid =
        new(ErrorKind.Unauthenticated, "SESSION_INVALID", "The session token is unknown, ended or expired.");

    /// <summary>ACC-8: a token that was never issued.</summary>
    public static readonly DomainError ResetTokenInvalid =
        DomainError.Invalid("reset_token", "RESET_TOKEN_INVALID", "The reset token is not valid.");

    /// <summary>ACC-8: tokens expire.</summary>
    public static readonly DomainError ResetTokenExpired =
        new(ErrorKind.FailedPrecondition, "RESET_TOKEN_EXPIRED", "The reset token has expired; ask for a new one.");

    /// <summary>ACC-8: tokens are single use, and a reset, a password change or a newer request voids the older ones.</summary>
    public static readonly DomainError ResetTokenUsed =
        new(ErrorKind.FailedPrecondition, "RESET_TOKEN_USED", "The reset token was used already or replaced by a later change; ask for a new one.");

    /// <summary>API-4: the caller read an older version.</summary>
    public static readonly DomainError ETagMismatch =
        new(ErrorKind.Aborted, "ETAG_MISMATCH", "The account changed since it was read; read it again.");

    /// <summary>ACC-4: waiting between attempts.</summary>
    public static DomainError SignInThrottled(TimeSpan retryAfter) =>
        new(ErrorKind.ResourceExhausted, "SIGN_IN_THROTTLED", $"Too many failed sign-ins; try again in {Durations.Describe(retryAfter)}.") { RetryAfter = retryAfter };

    /// <summary>ACC-4: temporary lock.</summary>
    public static DomainError SignInLocked(TimeSpan retryAfter) =>
        new(ErrorKind.ResourceExhausted, "SIGN_IN_LOCKED", $"Sign-in is locked after too many failures; try again in {Durations.Describe(retryAfter)}.") { RetryAfter = retryAfter };
}

/// <summary>The expected failures of two-factor authentication (ACC-7).</summary>
public static class TwoFactorErrors
{
    /// <summary>The password was right; a code is needed too.</summary>
    public static readonly DomainError SecondFactorRequired =
        new(ErrorKind.Unauthenticated, "SECOND_FACTOR_REQUIRED", "Two-factor authentication is on: send a TOTP code or a recovery code.");

    /// <summary>Wrong, reused or malformed code.</summary>
    public static readonly DomainError InvalidSecondFactor =
        new(ErrorKind.Unauthenticated, "INVALID_SECOND_FACTOR", "The code is wrong or was used already.")
        {
            Fields = [new FieldViolation("totp_code", "INVALID_SECOND_FACTOR", "The code is wrong or was used already.")],
        };

    /// <summary>Confirm or disable before enrollment.</summary>
    public static readonly DomainError NotEnrolled =
        new(ErrorKind.FailedPrecondition, "TWO_FACTOR_NOT_ENROLLED", "Start two-factor enrollment first.");

    /// <summary>Enroll or confirm while on.</summary>
    public static readonly DomainError AlreadyEnabled =
        new(ErrorKind.FailedPrecondition, "TWO_FACTOR_ALREADY_ENABLED", "Two-factor authentication is already on.");

    /// <summary>Disable while off.</summary>
    public static readonly DomainError NotEnabled =
        new(ErrorKind.FailedPrecondition, "TWO_FACTOR_NOT_ENABLED", "Two-factor authentication is not on.");
}
