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

    /// <summary>Signs in (ACC-3, ACC-4, ACC-5, ACC-7).</summary>
    public async Task<Result<SignedIn>> SignInAsync(string? login, string? password, string? totpCode, string? recoveryCode, SignInContext context, CancellationToken ct = default)
    {
        var email = EmailAddress.Parse(login, "login");
        if (!email.IsSuccess)
        {
            return email.Error;
        }

        if (string.IsNullOrEmpty(password))
        {
            return DomainError.Invalid("password", "PASSWORD_REQUIRED", "A password is required.");
        }

        if (!PasswordPolicy.TryNormalize(password, out var normalized))
        {
            return DomainError.Invalid("password", "PASSWORD_INVALID_TEXT", "The password contains text that is not valid Unicode.");
        }

        var now = clock.GetUtcNow();
        var loginDigest = Secrets.Digest(email.Value.Value);
        var throttle = await store.FindThrottleAsync(loginDigest, ct).ConfigureAwait(false);
        if (throttle?.Check(now, options.Throttle) is { } throttled)
        {
            return throttled;
        }

        var account = await store.FindAccountByLoginAsync(email.Value, ct).ConfigureAwait(false);
        if (account is null || account.HasLapsed(now, options.LoginConfirmation))
        {
            // Same work as a wrong password, so timing does not tell which logins exist.
            await hasher.VerifyAsync(await DummyHashAsync(ct).ConfigureAwait(false), normalized, ct).ConfigureAwait(false);
            await RecordFailureAsync(throttle, loginDigest, null, context, now, ct).ConfigureAwait(false);
            return AccountErrors.InvalidCredentials;
        }

        var check = await hasher.VerifyAsync(account.PasswordHash, normalized, ct).ConfigureAwait(false);
        if (!check.Matches)
        {
            await RecordFailureAsync(throttle, loginDigest, account.Id, context, now, ct).ConfigureAwait(false);
            return AccountErrors.InvalidCredentials;
        }

        if (account.TwoFactorEnabled)
        {
            if (string.IsNullOrWhiteSpace(totpCode) && string.IsNullOrWhiteSpace(recoveryCode))
            {
                return TwoFactorErrors.SecondFactorRequired;
            }

            if (!AcceptSecondFactor(account, totpCode, recoveryCode, context, now))
            {
                await RecordFailureAsync(throttle, loginDigest, account.Id, context, now, ct).ConfigureAwait(false);
                return TwoFactorErrors.InvalidSecondFactor;
            }
        }

        throttle?.Reset();
        if (check.NeedsRehash)
        {
            account.SetPasswordHash(await hasher.HashAsync(normalized, ct).ConfigureAwait(false));
        }

        await AlertIfNewSourceAsync(account, context, now, ct).ConfigureAwait(false);
        var token = Secrets.NewToken(random);
        var session = Session.Open(random.NewId(), account.Id, Secrets.Digest(token), now, options.SessionLifetime, context);
        store.Add(session);
        Record(account.Id, ActivityKind.SignInSucceeded, context, now);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return new SignedIn(token, session, account);
    }

    /// <summary>Resolves a bearer token to its user (API-2); an account whose login is not proven yet is refused (ACC-12).</summary>
    public Task<Result<AuthenticatedUser>> AuthenticateAsync(string? token, CancellationToken ct = default) =>
        AuthenticateAsync(token, allowUnconfirmedLogin: false, ct);

    /// <summary>
    /// Resolves a bearer token to its user (API-2): the one place every authenticated call passes.
    /// An account whose login is not proven yet is refused unless <paramref name="allowUnconfirmedLogin"/>
    /// (the calls that confirm it), and a lapsed one counts as gone (ACC-12).
    /// </summary>
    public async Task<Result<AuthenticatedUser>> AuthenticateAsync(string? token, bool allowUnconfirmedLogin, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token))
        {
            return AccountErrors.SessionRequired;
        }

        // One statement reads the session and its account's login state.
        var found = await store.FindSessionWithLoginAsync(Secrets.Digest(token), ct).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        if (found is null || !found.Session.IsActive(now, options.SessionIdleTimeout))
        {
            return AccountErrors.SessionInvalid;
        }

        var session = found.Session;
        var login = CheckLoginState(found.Login, now, allowUnconfirmedLogin);
        if (!login.IsSuccess)
        {
            return login.Error;
        }

        if (session.Touch(now))
        {
            try
            {
                await store.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException)
            {
                // The session row went meanwhile (its account was deleted): the token no longer works.
                return AccountErrors.SessionInvalid;
            }
        }

        return new AuthenticatedUser(session.AccountId, session.Id) { Login = login.Value };
    }

    /// <summary>The caller's account.</summary>
    public async Task<Result<UserAccount>> GetAccountAsync(AuthenticatedUser user, CancellationToken ct = default) =>
        await LoadAsync(user, ct).ConfigureAwait(false);

    /// <summary>Ends the calling session.</summary>
    public async Task<Result<Done>> SignOutAsync(AuthenticatedUser user, SignInContext context, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var sessions = await store.ListActiveSessionsAsync(user.AccountId, now, now - options.SessionIdleTimeout, null, int.MaxValue, ct).ConfigureAwait(false);
        sessions.FirstOrDefault(s => s.Id == user.SessionId)?.End(now);
        Record(user.AccountId, ActivityKind.SignedOut, context, now);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    /// <summary>The caller's active sessions, newest first (API-4 pagination).</summary>
    public async Task<Result<Page<Session>>> ListSessionsAsync(AuthenticatedUser user, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var now = clock.GetUtcNow();
        var rows = await store.ListActiveSessionsAsync(user.AccountId, now, now - options.SessionIdleTimeout, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        return page.Value.Cut(rows, s => new PageToken(s.CreatedAt, s.Id));
    }

    /// <summary>Ends every session but the calling one.</summary>
    public async Task<Result<int>> RevokeOtherSessionsAsync(AuthenticatedUser user, SignInContext context, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var ended = await EndSessionsAsync(user.AccountId, except: user.SessionId, now, ct).ConfigureAwait(false);
        Record(user.AccountId, ActivityKind.SessionsRevoked, context, now);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return ended;
    }

    /// <summary>Changes the password with the current one; other sessions end (ACC-9, first half).</summary>
    public async Task<Result<(UserAccount Account, int RevokedSessions)>> ChangePasswordAsync(
        AuthenticatedUser user, string? currentPassword, string? newPassword, string? etag, SignInContext context, CancellationToken ct = default)
    {
        var loaded = await LoadForUpdateAsync(user, currentPassword, etag, ct, context).ConfigureAwait(false);
        if (!loaded.IsSuccess)
        {
            return loaded.Error;
        }

        var account = loaded.Value;
        var checkedPassword = policy.Check(newPassword, account.Login, "new_password");
        if (!checkedPassword.IsSuccess)
        {
            return checkedPassword.Error;
        }

        var now = clock.GetUtcNow();
        account.SetPasswordHash(await hasher.HashAsync(checkedPassword.Value, ct).ConfigureAwait(false));
        await SyncAsync(account, context, now, ct).ConfigureAwait(false);
        await PasswordResetRequest.VoidOpenTokensAsync(store, account.Id, now, ct).ConfigureAwait(false);
        Notify(account.Login, NotificationKinds.PasswordChanged, "Your password was changed",
            $"The password of your account {account.Login} was changed.", context, now);
        var ended = await EndSessionsAsync(account.Id, except: user.SessionId, now, ct).ConfigureAwait(false);
        Record(account.Id, ActivityKind.PasswordChanged, context, now);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return (account, ended);
    }

    /// <summary>Sets or clears the recovery email; needs the current password (ACC-8).</summary>
    public async Task<Result<UserAccount>> UpdateRecoveryEmailAsync(
        AuthenticatedUser user, string? currentPassword, string? recoveryEmail, string? etag, SignInContext context, CancellationToken ct = default)
    {
        EmailAddress? recovery = null;
        if (!string.IsNullOrWhiteSpace(recoveryEmail))
        {
            var parsed = EmailAddress.Parse(recoveryEmail, "recovery_email");
            if (!parsed.IsSuccess)
            {
                return parsed.Error;
            }

            recovery = parsed.Value;
        }

        var loaded = await LoadForUpdateAsync(user, currentPassword, etag, ct, context).ConfigureAwait(false);
        if (!loaded.IsSuccess)
        {
            return loaded.Error;
        }

        var now = clock.GetUtcNow();
        var account = loaded.Value;
        var previous = account.RecoveryEmail;
        account.SetRecoveryEmail(recovery);
        if (previous != recovery)
        {
            // The login, the old address and the new one each hear of it (ACC-13), once per address.
            var text = $"The recovery email of the account {account.Login} was changed from {previous?.Value ?? "none"} to {recovery?.Value ?? "none"}.";
            foreach (var to in new[] { account.Login, previous, recovery }.OfType<EmailAddress>().Distinct())
            {
                Notify(to, NotificationKinds.RecoveryEmailChanged, "The recovery email of your account was changed", text, context, now);
            }
        }

        Record(user.AccountId, ActivityKind.RecoveryEmailChanged, context, now);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return loaded.Value;
    }

    /// <summary>
    /// Asks for a reset token to be sent to the recovery email, else to the login (ACC-8). Only
    /// queues the request, the same single write for a known and an unknown login; the token is
    /// issued out of band by <see cref="PasswordResetIssuer"/>.
    /// </summary>
    public async Task<Result<Done>> RequestPasswordResetAsync(string? login, SignInContext context, CancellationToken ct = default)
    {
        var email = EmailAddress.Parse(login, "login");
        if (!email.IsSuccess)
        {
            return email.Error;
        }

        store.Add(PasswordResetRequest.Queue(random.NewId(), email.Value, context, clock.GetUtcNow()));
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    /// <summary>Sets a new password with a reset token; every session ends (ACC-8).</summary>
    public async Task<Result<Done>> ResetPasswordAsync(string? resetToken, string? newPassword, SignInContext context, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(resetToken))
        {
            return AccountErrors.ResetTokenInvalid;
        }

        var token = await store.FindResetTokenAsync(Secrets.Digest(resetToken), ct).ConfigureAwait(false);
        var account = token is null ? null : await store.FindAccountAsync(token.AccountId, ct).ConfigureAwait(false);
        if (token is null || account is null)
        {
            return AccountErrors.ResetTokenInvalid;
        }

        var now = clock.GetUtcNow();
        var used = token.Use(now);
        if (!used.IsSuccess)
        {
            return used.Error;
        }

        var checkedPassword = policy.Check(newPassword, account.Login, "new_password");
        if (!checkedPassword.IsSuccess)
        {
            return checkedPassword.Error;
        }

        account.SetPasswordHash(await hasher.HashAsync(checkedPassword.Value, ct).ConfigureAwait(false));
        await SyncAsync(account, context, now, ct).ConfigureAwait(false);
        await PasswordResetRequest.VoidOpenTokensAsync(store, account.Id, now, ct).ConfigureAwait(false);
        Notify(account.Login, NotificationKinds.PasswordChanged, "Your password was reset",
            $"The password of your account {account.Login} was reset with a token sent to {(account.RecoveryEmail ?? account.Login)}.", context, now);
        await EndSessionsAsync(account.Id, except: null, now, ct).ConfigureAwait(false);
        var throttle = await store.FindThrottleAsync(Secrets.Digest(account.Login.Value), ct).ConfigureAwait(false);
        throttle?.Reset();
        Record(account.Id, ActivityKind.PasswordReset, context, now);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    /// <summary>Starts 2FA enrollment with a new secret (ACC-7).</summary>
    public async Task<Result<TwoFactorEnrollment>> BeginTwoFactorEnrollmentAsync(AuthenticatedUser user, string? currentPassword, CancellationToken ct = default)
    {
        var loaded = await LoadForUpdateAsync(user, currentPassword, etag: null, ct).ConfigureAwait(false);
        if (!loaded.IsSuccess)
        {
            return loaded.Error;
        }

        var secret = Totp.ToBase32(random.GetBytes(Totp.SecretBytes));
        var begun = loaded.Value.BeginTwoFactor(secret);
        if (!begun.IsSuccess)
        {
            return begun.Error;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return new TwoFactorEnrollment(secret, Totp.OtpAuthUri(secret, loaded.Value.Login.Value, options.TotpIssuer));
    }

    /// <summary>Turns 2FA on with a code of the enrolled secret; returns the recovery codes, once (ACC-7).</summary>
    public async Task<Result<IReadOnlyList<string>>> ConfirmTwoFactorAsync(AuthenticatedUser user, string? totpCode, SignInContext context, CancellationToken ct = default)
    {
        var loaded = await LoadAsync(user, ct).ConfigureAwait(false);
        if (!loaded.IsSuccess)
        {
            return loaded.Error;
        }

        var account = loaded.Value;
        if (account.TwoFactorEnabled)
        {
            return TwoFactorErrors.AlreadyEnabled;
        }

        if (account.TotpSecret is null)
        {
            return TwoFactorErrors.NotEnrolled;
        }

        var now = clock.GetUtcNow();
        if (Totp.MatchingStep(account.TotpSecret, totpCode, now) is not { } step)
        {
            return TwoFactorErrors.InvalidSecondFactor;
        }

        var codes = Enumerable.Range(0, options.RecoveryCodeCount).Select(_ => NewRecoveryCode()).ToArray();
        var confirmed = account.ConfirmTwoFactor(step, codes.Select(c => Secrets.Digest(NormalizeRecoveryCode(c))));
        if (!confirmed.IsSuccess)
        {
            return confirmed.Error;
        }

        await EndSessionsAsync(account.Id, except: user.SessionId, now, ct).ConfigureAwait(false);
        Notify(account.Login, NotificationKinds.TwoFactorEnabled, "Two-factor authentication was turned on",
            $"Two-factor authentication was turned on for your account {account.Login}.", context, now);
        Record(account.Id, ActivityKind.TwoFactorEnabled, context, now);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return codes;
    }

    /// <summary>Turns 2FA off with the password and a current or recovery code (ACC-7).</summary>
    public async Task<Result<Done>> DisableTwoFactorAsync(AuthenticatedUser user, string? currentPassword, string? totpCode, string? recoveryCode, SignInContext context, CancellationToken ct = default)
    {
        var loaded = await LoadForUpdateAsync(user, currentPassword, etag: null, ct, context).ConfigureAwait(false);
        if (!loaded.IsSuccess)
        {
            return loaded.Error;
        }

        var account = loaded.Value;
        if (!account.TwoFactorEnabled)
        {
            return TwoFactorErrors.NotEnabled;
        }

        var now = clock.GetUtcNow();
        if (!AcceptSecondFactor(account, totpCode, recoveryCode, context, now))
        {
            await RecordSecondFactorFailureAsync(account, context, now, ct).ConfigureAwait(false);
            return TwoFactorErrors.InvalidSecondFactor;
        }

        account.DisableTwoFactor();
        await EndSessionsAsync(account.Id, except: user.SessionId, now, ct).ConfigureAwait(false);
        Notify(account.Login, NotificationKinds.TwoFactorDisabled, "Two-factor authentication was turned off",
            $"Two-factor authentication was turned off for your account {account.Login}; the password alone now signs in.", context, now);
        Record(account.Id, ActivityKind.TwoFactorDisabled, context, now);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

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

    /// <summary>Counts a wrong second factor given with a session as a failed sign-in (ACC-4).</summary>
    private async Task RecordSecondFactorFailureAsync(UserAccount account, SignInContext context, DateTimeOffset now, CancellationToken ct)
    {
        var loginDigest = Secrets.Digest(account.Login.Value);
        var throttle = await store.FindThrottleAsync(loginDigest, ct).ConfigureAwait(false);
        await RecordFailureAsync(throttle, loginDigest, account.Id, context, now, ct).ConfigureAwait(false);
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
        if (throttle is null)
        {
            throttle = LoginThrottle.For(loginDigest);
            store.Add(throttle);
        }

        throttle.RecordFailure(now, options.Throttle);
        if (accountId is { } id)
        {
            Record(id, ActivityKind.SignInFailed, context, now);
        }

        try
        {
            await store.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DuplicateKeyException)
        {
            // A concurrent failure created the throttle row first; that failure was counted.
        }
    }

    private async Task AlertIfNewSourceAsync(UserAccount account, SignInContext context, DateTimeOffset now, CancellationToken ct)
    {
        var sources = Sources(context).ToArray();
        var isNew = sources.Length == 0;
        foreach (var (kind, digest) in sources)
        {
            if (!await store.IsKnownSourceAsync(account.Id, kind, digest, ct).ConfigureAwait(false))
            {
                isNew = true;
                store.Add(KnownSignInSource.Record(account.Id, kind, digest, now));
            }
        }

        if (!isNew)
        {
            return;
        }

        Record(account.Id, ActivityKind.NewLocationSignIn, context, now);
        var when = now.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        store.Add(OutboxMessage.Queue(
            random.NewId(),
            NotificationKinds.NewLocationSignIn,
            account.Login.Value,
            "New sign-in to your account",
            $"Your account {account.Login} was signed in to on {when} from a device or place not seen before "
            + $"(address {context.IpAddress ?? "unknown"}, device {context.DeviceId ?? context.UserAgent ?? "unknown"}).\n"
            + "If it was not you, change your password and review your sessions.",
            now));
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

    private string NewRecoveryCode()
    {
        var text = Totp.ToBase32(random.GetBytes(7))[..10];
        return $"{text[..5]}-{text[5..]}";
    }

    private Task<string> DummyHashAsync(CancellationToken ct) => DummyPassword.HashAsync(hasher, random, ct);
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
