using Hosting.Core.Notifications;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Core.Accounts;

/// <summary>Two-factor authentication: enrolling, turning it on and off (ACC-7).</summary>
public sealed partial class AccountService
{
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

    /// <summary>Counts a wrong second factor given with a session as a failed sign-in (ACC-4).</summary>
    private async Task RecordSecondFactorFailureAsync(UserAccount account, SignInContext context, DateTimeOffset now, CancellationToken ct)
    {
        var loginDigest = Secrets.Digest(account.Login.Value);
        var throttle = await store.FindThrottleAsync(loginDigest, ct).ConfigureAwait(false);
        await RecordFailureAsync(throttle, loginDigest, account.Id, context, now, ct).ConfigureAwait(false);
    }

    private string NewRecoveryCode()
    {
        var text = Totp.ToBase32(random.GetBytes(7))[..10];
        return $"{text[..5]}-{text[5..]}";
    }
}
