using Hosting.Core.Shared;

namespace Hosting.Core.Accounts;

/// <summary>ACC-12 limits of login confirmation codes.</summary>
public sealed record LoginConfirmationPolicy
{
    /// <summary>How long an unconfirmed account lives before it lapses and frees its login.</summary>
    public TimeSpan UnconfirmedLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How long one code works.</summary>
    public TimeSpan CodeLifetime { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Wrong codes allowed per code before it stops working.</summary>
    public int AttemptsPerCode { get; init; } = 5;

    /// <summary>Codes sent per account in all (the first and the resent ones), so guesses stay bounded.</summary>
    public int MaxCodes { get; init; } = 5;

    /// <summary>The shortest time between two codes.</summary>
    public TimeSpan ResendInterval { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// The live confirmation code of an unconfirmed account (ACC-12): single use, expiring, a bounded
/// number of wrong attempts, stored only as a digest. One row per account; a new code replaces it.
/// </summary>
public sealed class LoginConfirmation
{
    /// <summary>Digits of a code: short enough to type, with guesses bounded by the attempt and code limits.</summary>
    public const int CodeDigits = 8;

    private LoginConfirmation(Guid accountId, string codeDigest, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        AccountId = accountId;
        CodeDigest = codeDigest;
        IssuedAt = issuedAt;
        ExpiresAt = expiresAt;
    }

    /// <summary>The account whose login it proves.</summary>
    public Guid AccountId { get; private set; }

    /// <summary>SHA-256 of the account id and the code.</summary>
    public string CodeDigest { get; private set; }

    /// <summary>When the current code was sent.</summary>
    public DateTimeOffset IssuedAt { get; private set; }

    /// <summary>When the current code stops working.</summary>
    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>Wrong attempts against the current code.</summary>
    public int FailedAttempts { get; private set; }

    /// <summary>Codes sent to the account so far.</summary>
    public int CodesIssued { get; private set; }

    /// <summary>Optimistic concurrency token: two concurrent guesses cannot both spend one attempt.</summary>
    public int Version { get; private set; }

    /// <summary>A new code for an account.</summary>
    public static LoginConfirmation Issue(Guid accountId, string code, DateTimeOffset now, LoginConfirmationPolicy policy) =>
        new(accountId, DigestOf(accountId, code), now, now + policy.CodeLifetime) { CodesIssued = 1 };

    /// <summary>Replaces the code with a new one, within the resend interval and the number of codes.</summary>
    public Result<Done> Reissue(string code, DateTimeOffset now, LoginConfirmationPolicy policy)
    {
        if (CodesIssued >= policy.MaxCodes)
        {
            return LoginConfirmationErrors.ResendLimitReached;
        }

        if (now < IssuedAt + policy.ResendInterval)
        {
            return LoginConfirmationErrors.ResendTooSoon(IssuedAt + policy.ResendInterval - now);
        }

        CodeDigest = DigestOf(AccountId, code);
        IssuedAt = now;
        ExpiresAt = now + policy.CodeLifetime;
        FailedAttempts = 0;
        CodesIssued++;
        Version++;
        return Done.Value;
    }

    /// <summary>Checks a code as typed; a wrong one spends an attempt.</summary>
    public Result<Done> Check(string? code, DateTimeOffset now, LoginConfirmationPolicy policy)
    {
        if (FailedAttempts >= policy.AttemptsPerCode)
        {
            return LoginConfirmationErrors.AttemptsExhausted;
        }

        if (now >= ExpiresAt)
        {
            return LoginConfirmationErrors.CodeExpired;
        }

        var typed = Normalize(code);
        if (typed.Length == CodeDigits && Secrets.DigestEquals(CodeDigest, DigestOf(AccountId, typed)))
        {
            return Done.Value;
        }

        FailedAttempts++;
        Version++;
        return LoginConfirmationErrors.CodeInvalid(policy.AttemptsPerCode - FailedAttempts);
    }

    /// <summary>A new code of <see cref="CodeDigits"/> decimal digits.</summary>
    public static string NewCode(ISecretGenerator random)
    {
        // 64 random bits reduced modulo 10^8: the bias is below 10^-10.
        var value = BitConverter.ToUInt64(random.GetBytes(8)) % 100_000_000UL;
        return value.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
    }

    // Bound to the account, so one digest says nothing about another account's code.
    private static string DigestOf(Guid accountId, string code) => Secrets.Digest($"{accountId:N}:{code}");

    private static string Normalize(string? code) =>
        code is null ? string.Empty : new string(code.Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());
}

/// <summary>The expected failures of login confirmation (ACC-12).</summary>
public static class LoginConfirmationErrors
{
    /// <summary>Anything but confirming, by an account whose login is not proven yet.</summary>
    public static readonly DomainError NotConfirmed =
        new(ErrorKind.FailedPrecondition, "LOGIN_NOT_CONFIRMED", "Confirm the login with the code sent to it first.");

    /// <summary>Confirming an account that is confirmed already (its code was used).</summary>
    public static readonly DomainError AlreadyConfirmed =
        new(ErrorKind.FailedPrecondition, "LOGIN_ALREADY_CONFIRMED", "The login is confirmed already.");

    /// <summary>The code is past its lifetime.</summary>
    public static readonly DomainError CodeExpired =
        new(ErrorKind.FailedPrecondition, "LOGIN_CODE_EXPIRED", "The code has expired; ask for a new one.");

    /// <summary>Too many wrong codes against the current one.</summary>
    public static readonly DomainError AttemptsExhausted =
        new(ErrorKind.FailedPrecondition, "LOGIN_CODE_ATTEMPTS_EXHAUSTED", "Too many wrong codes; ask for a new one.");

    /// <summary>No more codes will be sent to this account; it lapses unconfirmed.</summary>
    public static readonly DomainError ResendLimitReached =
        new(ErrorKind.ResourceExhausted, "LOGIN_CODE_RESEND_LIMIT", "No more codes are sent for this account.");

    /// <summary>A wrong code; it counts against the attempts.</summary>
    public static DomainError CodeInvalid(int attemptsLeft) =>
        DomainError.Invalid("code", "LOGIN_CODE_INVALID", "The code is wrong.") with
        {
            Metadata = new Dictionary<string, string> { ["attempts_left"] = Math.Max(0, attemptsLeft).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };

    /// <summary>A new code was sent a moment ago.</summary>
    public static DomainError ResendTooSoon(TimeSpan retryAfter) =>
        new(ErrorKind.ResourceExhausted, "LOGIN_CODE_RESEND_TOO_SOON", $"A code was sent a moment ago; ask for another in {Durations.Describe(retryAfter)}.") { RetryAfter = retryAfter };
}
