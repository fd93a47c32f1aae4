using Hosting.Core.Notifications;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Core.Accounts;

/// <summary>Changing and resetting the password, and the recovery email a reset goes to (ACC-8, ACC-9).</summary>
public sealed partial class AccountService
{
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
}
