using System.Globalization;
using Hosting.Core.Notifications;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Core.Accounts;

/// <summary>Signing in, resolving tokens, and the caller's sessions (ACC-3, ACC-4, ACC-5, ACC-7, ACC-12, API-2).</summary>
public sealed partial class AccountService
{
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

    private Task<string> DummyHashAsync(CancellationToken ct) => DummyPassword.HashAsync(hasher, random, ct);
}
