using System.Globalization;
using Hosting.Core.Notifications;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Core.Accounts;

/// <summary>The user calling, as established from a session token (API-2).</summary>
public sealed record AuthenticatedUser(Guid AccountId, Guid SessionId)
{
    /// <summary>The caller's login as read when the token was checked; null where a caller is made without a token.</summary>
    public EmailAddress? Login { get; init; }
}

/// <summary>A successful sign-in: the bearer token (shown only here), its session and the account.</summary>
public sealed record SignedIn(string Token, Session Session, UserAccount Account);

/// <summary>A started 2FA enrollment.</summary>
public sealed record TwoFactorEnrollment(string Base32Secret, string OtpAuthUri);

/// <summary>
/// The use cases of user accounts and credentials (ACC-1..ACC-9). Every method is one
/// transaction: it either commits all its changes, notifications and activity, or nothing.
/// </summary>
public sealed partial class AccountService(
    IAccountStore store,
    IPasswordHasher hasher,
    PasswordPolicy policy,
    TimeProvider clock,
    ISecretGenerator random,
    AccountOptions options,
    IAccountPasswordSync? passwordSync = null,
    IAccountLapse? lapse = null)
{
    /// <summary>Creates an account (ACC-1, ACC-2).</summary>
    public async Task<Result<UserAccount>> SignUpAsync(string? login, string? password, string? recoveryEmail, SignInContext context, CancellationToken ct = default)
    {
        var account = await PrepareSignUpAsync(login, password, recoveryEmail, context, "", ct).ConfigureAwait(false);
        if (!account.IsSuccess)
        {
            return account;
        }

        try
        {
            await store.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DuplicateKeyException)
        {
            return AccountErrors.LoginTaken;
        }

        return account;
    }

    /// <summary>
    /// Validates and adds a new account to the unit of work without committing, so that a larger
    /// operation (a first order, ORG-1) commits it together with what it creates.
    /// </summary>
    internal async Task<Result<UserAccount>> PrepareSignUpAsync(string? login, string? password, string? recoveryEmail, SignInContext context, string fieldPrefix, CancellationToken ct)
    {
        var email = EmailAddress.Parse(login, fieldPrefix + "login");
        if (!email.IsSuccess)
        {
            return email.Error;
        }

        var checkedPassword = policy.Check(password, email.Value, fieldPrefix + "password");
        if (!checkedPassword.IsSuccess)
        {
            return checkedPassword.Error;
        }

        EmailAddress? recovery = null;
        if (!string.IsNullOrWhiteSpace(recoveryEmail))
        {
            var parsed = EmailAddress.Parse(recoveryEmail, fieldPrefix + "recovery_email");
            if (!parsed.IsSuccess)
            {
                return parsed.Error;
            }

            recovery = parsed.Value;
        }

        if (await store.FindAccountByLoginAsync(email.Value, ct).ConfigureAwait(false) is { } existing
            && !await LapseIfDueAsync(existing, ct).ConfigureAwait(false))
        {
            return AccountErrors.LoginTaken.ForField(fieldPrefix + "login");
        }

        var now = clock.GetUtcNow();
        var hash = await hasher.HashAsync(checkedPassword.Value, ct).ConfigureAwait(false);
        var account = UserAccount.Create(random.NewId(), email.Value, hash, recovery, now);
        store.Add(account);
        // The device that created the account is known to it: its first sign-in is no "new location".
        foreach (var (kind, digest) in Sources(context))
        {
            store.Add(KnownSignInSource.Record(account.Id, kind, digest, now));
        }

        Record(account.Id, ActivityKind.AccountCreated, context, now);
        var code = LoginConfirmation.NewCode(random);
        QueueLoginCode(account, LoginConfirmation.Issue(account.Id, code, now, options.LoginConfirmation), code, now);
        return account;
    }

    /// <summary>Loads the caller's account after checking its current password (ACC-9, ACC-10).</summary>
    internal Task<Result<UserAccount>> LoadWithPasswordAsync(AuthenticatedUser user, string? currentPassword, CancellationToken ct) =>
        LoadForUpdateAsync(user, currentPassword, etag: null, ct);

    /// <summary>
    /// Loads the caller's account after checking its current password, a wrong one counting as a
    /// failed sign-in from <paramref name="context"/> (ACC-13); for changes made from other use cases.
    /// </summary>
    internal Task<Result<UserAccount>> LoadWithPasswordAsync(AuthenticatedUser user, string? currentPassword, SignInContext context, CancellationToken ct) =>
        LoadForUpdateAsync(user, currentPassword, etag: null, ct, context);

    /// <summary>
    /// The account password was just set by another use case (unification, MBX-4): what follows
    /// a password change follows it too, in the caller's unit of work (ACC-9, ACC-13): open reset
    /// tokens are void, the person is told, other sessions end, the change is logged.
    /// </summary>
    internal async Task PasswordSetElsewhereAsync(UserAccount account, AuthenticatedUser user, SignInContext context, DateTimeOffset now, CancellationToken ct)
    {
        await PasswordResetRequest.VoidOpenTokensAsync(store, account.Id, now, ct).ConfigureAwait(false);
        Notify(account.Login, NotificationKinds.PasswordChanged, "Your password was changed",
            $"The password of your account {account.Login} was changed.", context, now);
        await EndSessionsAsync(account.Id, except: user.SessionId, now, ct).ConfigureAwait(false);
        Record(account.Id, ActivityKind.PasswordChanged, context, now);
    }

    /// <summary>The caller's account.</summary>
    public async Task<Result<UserAccount>> GetAccountAsync(AuthenticatedUser user, CancellationToken ct = default) =>
        await LoadAsync(user, ct).ConfigureAwait(false);

    /// <summary>The caller's activity, newest first (ACC-6).</summary>
    public async Task<Result<Page<ActivityEntry>>> ListActivityAsync(AuthenticatedUser user, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var rows = await store.ListActivityAsync(user.AccountId, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        return page.Value.Cut(rows, e => new PageToken(e.At, e.Id));
    }

    /// <summary>Normalizes a recovery code as typed (case, dashes, spaces).</summary>
    internal static string NormalizeRecoveryCode(string code) =>
        new string(code.Where(char.IsAsciiLetterOrDigit).ToArray()).ToUpperInvariant();

    private static IEnumerable<(SignInSourceKind Kind, string Digest)> Sources(SignInContext context)
    {
        if (context.DeviceId is { } device)
        {
            yield return (SignInSourceKind.Device, Secrets.Digest(device));
        }

        if (context.Network() is { } network)
        {
            yield return (SignInSourceKind.Network, Secrets.Digest(network));
        }
    }

    private async Task<Result<UserAccount>> LoadAsync(AuthenticatedUser user, CancellationToken ct)
    {
        var account = await store.FindAccountAsync(user.AccountId, ct).ConfigureAwait(false);
        return account is null ? AccountErrors.SessionInvalid : account;
    }

    private async Task<Result<UserAccount>> LoadForUpdateAsync(AuthenticatedUser user, string? currentPassword, string? etag, CancellationToken ct, SignInContext? context = null)
    {
        var loaded = await LoadAsync(user, ct).ConfigureAwait(false);
        if (!loaded.IsSuccess)
        {
            return loaded;
        }

        if (!string.IsNullOrEmpty(etag) && etag != loaded.Value.ETag)
        {
            return AccountErrors.ETagMismatch;
        }

        // A session is no licence to guess: the check shares the sign-in throttle of the login (ACC-13, ACC-4).
        var now = clock.GetUtcNow();
        var loginDigest = Secrets.Digest(loaded.Value.Login.Value);
        var throttle = await store.FindThrottleAsync(loginDigest, ct).ConfigureAwait(false);
        if (throttle?.Check(now, options.Throttle) is { } throttled)
        {
            return throttled;
        }

        if (string.IsNullOrEmpty(currentPassword) || !PasswordPolicy.TryNormalize(currentPassword, out var normalized)
            || !(await hasher.VerifyAsync(loaded.Value.PasswordHash, normalized, ct).ConfigureAwait(false)).Matches)
        {
            await RecordFailureAsync(throttle, loginDigest, loaded.Value.Id, context ?? SignInContext.Unknown, now, ct).ConfigureAwait(false);
            return AccountErrors.WrongPassword;
        }

        return loaded;
    }

    private bool AcceptSecondFactor(UserAccount account, string? totpCode, string? recoveryCode, SignInContext context, DateTimeOffset now)
    {
        if (!string.IsNullOrWhiteSpace(totpCode))
        {
            return account.TotpSecret is { } secret
                && Totp.MatchingStep(secret, totpCode, now) is { } step
                && account.TryAcceptTotpStep(step);
        }

        if (!string.IsNullOrWhiteSpace(recoveryCode) && account.TryUseRecoveryCode(Secrets.Digest(NormalizeRecoveryCode(recoveryCode))))
        {
            Record(account.Id, ActivityKind.RecoveryCodeUsed, context, now);
            return true;
        }

        return false;
    }

    private async Task RecordFailureAsync(LoginThrottle? throttle, string loginDigest, Guid? accountId, SignInContext context, DateTimeOffset now, CancellationToken ct)
    {
        if (accountId is { } id)
        {
            Record(id, ActivityKind.SignInFailed, context, now);
        }

        await store.RecordFailureAsync(throttle, loginDigest, now, options.Throttle, ct).ConfigureAwait(false);
    }

    private async Task<int> EndSessionsAsync(Guid accountId, Guid? except, DateTimeOffset now, CancellationToken ct)
    {
        var sessions = await store.ListActiveSessionsAsync(accountId, now, now - options.SessionIdleTimeout, null, int.MaxValue, ct).ConfigureAwait(false);
        var ended = 0;
        foreach (var session in sessions.Where(s => s.Id != except))
        {
            session.End(now);
            ended++;
        }

        return ended;
    }

    private Task SyncAsync(UserAccount account, SignInContext context, DateTimeOffset now, CancellationToken ct) =>
        passwordSync?.AccountPasswordChangedAsync(account, context, now, ct) ?? Task.CompletedTask;

    private void Record(Guid accountId, ActivityKind kind, SignInContext context, DateTimeOffset now) =>
        store.Add(ActivityEntry.Record(random.NewId(), accountId, now, kind, context));

    /// <summary>Queues a security notice (ACC-13), saying when and from where, never a secret.</summary>
    private void Notify(EmailAddress to, string kind, string subject, string what, SignInContext context, DateTimeOffset now)
    {
        var when = now.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        store.Add(OutboxMessage.Queue(
            random.NewId(),
            kind,
            to.Value,
            subject,
            $"{what}\nWhen: {when}; address {context.IpAddress ?? "unknown"}, device {context.DeviceId ?? context.UserAgent ?? "unknown"}.\n"
            + "If it was not you, reset your password and review your sessions and activity.",
            now));
    }
}

/// <summary>Stable kinds of notifications.</summary>
public static class NotificationKinds
{
    /// <summary>ACC-5.</summary>
    public const string NewLocationSignIn = "new-location-sign-in";

    /// <summary>ACC-8.</summary>
    public const string PasswordReset = "password-reset";

    /// <summary>ACC-8: a queued reset request, handled by <see cref="PasswordResetIssuer"/>, never sent.</summary>
    public const string PasswordResetRequest = "password-reset-request";

    /// <summary>ACC-13: the password was changed or reset.</summary>
    public const string PasswordChanged = "password-changed";

    /// <summary>ACC-13: to the login and to the old and new recovery addresses.</summary>
    public const string RecoveryEmailChanged = "recovery-email-changed";

    /// <summary>ACC-13.</summary>
    public const string TwoFactorEnabled = "two-factor-enabled";

    /// <summary>ACC-13.</summary>
    public const string TwoFactorDisabled = "two-factor-disabled";

    /// <summary>ACC-12: the code that proves a new login.</summary>
    public const string LoginConfirmation = "login-confirmation";
}
