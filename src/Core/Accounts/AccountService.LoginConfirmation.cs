using System.Globalization;
using Hosting.Core.Notifications;
using Hosting.Core.Shared;

namespace Hosting.Core.Accounts;

/// <summary>
/// Told when an unconfirmed account lapses, inside the unit of work that removes it, so that what
/// it created (the organization of a first order, ORG-1) goes with it.
/// </summary>
public interface IAccountLapse
{
    /// <summary>
    /// The account is about to be removed unconfirmed: returns false, having changed nothing, when
    /// its removal would break a rule elsewhere; the account then stays, lapsed, and keeps its login.
    /// </summary>
    Task<bool> AccountLapsingAsync(UserAccount account, CancellationToken cancellationToken);
}

/// <summary>Proving the login (ACC-12).</summary>
public sealed partial class AccountService
{
    /// <summary>
    /// Proves the login with the code sent to it (ACC-12). A wrong code spends one of the code's
    /// attempts; a code works once and only until it expires.
    /// </summary>
    public async Task<Result<UserAccount>> ConfirmLoginAsync(AuthenticatedUser user, string? code, CancellationToken ct = default)
    {
        var loaded = await LoadAsync(user, ct).ConfigureAwait(false);
        if (!loaded.IsSuccess)
        {
            return loaded;
        }

        var account = loaded.Value;
        if (account.LoginConfirmed)
        {
            return LoginConfirmationErrors.AlreadyConfirmed;
        }

        if (string.IsNullOrWhiteSpace(code))
        {
            return DomainError.Invalid("code", "LOGIN_CODE_REQUIRED", "The code sent to the login is required.");
        }

        var now = clock.GetUtcNow();
        var confirmation = await store.FindLoginConfirmationAsync(account.Id, ct).ConfigureAwait(false);
        if (confirmation is null)
        {
            return LoginConfirmationErrors.CodeExpired;
        }

        var checkedCode = confirmation.Check(code, now, options.LoginConfirmation);
        if (!checkedCode.IsSuccess)
        {
            // The spent attempt is kept even though the call fails.
            await store.SaveChangesAsync(ct).ConfigureAwait(false);
            return checkedCode.Error;
        }

        account.ConfirmLogin();
        store.Remove(confirmation);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return account;
    }

    /// <summary>Sends a new code to the login, replacing the current one; limited in rate and number (ACC-12).</summary>
    public async Task<Result<DateTimeOffset>> ResendLoginCodeAsync(AuthenticatedUser user, CancellationToken ct = default)
    {
        var loaded = await LoadAsync(user, ct).ConfigureAwait(false);
        if (!loaded.IsSuccess)
        {
            return loaded.Error;
        }

        var account = loaded.Value;
        if (account.LoginConfirmed)
        {
            return LoginConfirmationErrors.AlreadyConfirmed;
        }

        var now = clock.GetUtcNow();
        var code = LoginConfirmation.NewCode(random);
        var confirmation = await store.FindLoginConfirmationAsync(account.Id, ct).ConfigureAwait(false);
        if (confirmation is null)
        {
            confirmation = LoginConfirmation.Issue(account.Id, code, now, options.LoginConfirmation);
            store.Add(confirmation);
        }
        else
        {
            var reissued = confirmation.Reissue(code, now, options.LoginConfirmation);
            if (!reissued.IsSuccess)
            {
                return reissued.Error;
            }
        }

        QueueLoginCode(account, code, confirmation.ExpiresAt, now);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return confirmation.ExpiresAt;
    }

    private void QueueLoginCode(UserAccount account, LoginConfirmation confirmation, string code, DateTimeOffset now)
    {
        store.Add(confirmation);
        QueueLoginCode(account, code, confirmation.ExpiresAt, now);
    }

    private void QueueLoginCode(UserAccount account, string code, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var minutes = ((int)(expiresAt - now).TotalMinutes).ToString(CultureInfo.InvariantCulture);
        var hours = ((int)options.LoginConfirmation.UnconfirmedLifetime.TotalHours).ToString(CultureInfo.InvariantCulture);
        store.Add(OutboxMessage.Queue(
            random.NewId(),
            NotificationKinds.LoginConfirmation,
            account.Login.Value,
            "Confirm your login",
            $"An account was opened with the login {account.Login}. Confirmation code (valid {minutes} minutes, once): {code}\n"
            + $"If it was not you, ignore this message: the account lapses unconfirmed after {hours} hours.",
            now));
    }

    /// <summary>Refuses an unproven login outside the calls that prove it, and a lapsed one everywhere.</summary>
    private Result<EmailAddress> CheckLoginState(LoginState state, DateTimeOffset now, bool allowUnconfirmed)
    {
        if (state.Confirmed)
        {
            return state.Login;
        }

        if (now >= state.CreatedAt + options.LoginConfirmation.UnconfirmedLifetime)
        {
            return AccountErrors.SessionInvalid;
        }

        return allowUnconfirmed ? state.Login : LoginConfirmationErrors.NotConfirmed;
    }

    /// <summary>
    /// Removes an unconfirmed account past its lifetime, with what it created, so its login is
    /// free again (ACC-12); returns whether it did, which it does not while the lapse is held back.
    /// Committed at once, apart from the caller's own work: a lapse stands whatever the sign-up that
    /// found it does next.
    /// </summary>
    private async Task<bool> LapseIfDueAsync(UserAccount account, CancellationToken ct)
    {
        if (!account.HasLapsed(clock.GetUtcNow(), options.LoginConfirmation))
        {
            return false;
        }

        if (lapse is not null && !await lapse.AccountLapsingAsync(account, ct).ConfigureAwait(false))
        {
            return false;
        }

        store.Remove(account);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return true;
    }
}
