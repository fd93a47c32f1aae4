using System.Globalization;
using System.Text.Json;
using Hosting.Core.Notifications;
using Hosting.Core.Shared;

namespace Hosting.Core.Accounts;

/// <summary>
/// Issues the reset tokens asked for with <see cref="AccountService.RequestPasswordResetAsync"/>
/// (ACC-8), out of band. A request is only a queued outbox row, the same for a known and an
/// unknown login, so neither the answer nor its cost tells which logins exist; this step, run
/// by the outbox dispatcher, looks the login up and, for an account, voids its older tokens,
/// issues a new one, mails it and records the request in the activity log.
/// </summary>
public sealed class PasswordResetIssuer(IAccountStore store, TimeProvider clock, ISecretGenerator random, AccountOptions options)
{
    /// <summary>Handles pending requests, oldest first, each in its own transaction; returns how many.</summary>
    public async Task<int> IssuePendingAsync(int max, CancellationToken ct = default)
    {
        var pending = await store.PendingResetRequestsAsync(max, ct).ConfigureAwait(false);
        var handled = 0;
        foreach (var request in pending)
        {
            var now = clock.GetUtcNow();
            if (PasswordResetRequest.Read(request) is { } asked
                && await store.FindAccountByLoginAsync(asked.Login, ct).ConfigureAwait(false) is { } account
                && await MayResetAsync(account, request.CreatedAt, ct).ConfigureAwait(false))
            {
                await PasswordResetRequest.VoidOpenTokensAsync(store, account.Id, now, ct).ConfigureAwait(false);
                Issue(account, asked.Context, request.CreatedAt, now);
            }

            request.MarkSent(now);
            try
            {
                await store.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException)
            {
                // Another host handled this request first; this unit of work is spent, the rest waits.
                break;
            }

            handled++;
        }

        return handled;
    }

    /// <summary>
    /// An unproven login gets no token (ACC-12), and past its budget a login gets no more mail
    /// (ACC-8): the request is dropped as one for an unknown login is, and older tokens stay.
    /// </summary>
    private async Task<bool> MayResetAsync(UserAccount account, DateTimeOffset askedAt, CancellationToken ct) =>
        account.LoginConfirmed
        && await store.CountActivitySinceAsync(account.Id, ActivityKind.PasswordResetRequested, askedAt - options.ResetRequestWindow, ct).ConfigureAwait(false)
            < options.ResetRequestsPerWindow;

    private void Issue(UserAccount account, SignInContext context, DateTimeOffset askedAt, DateTimeOffset now)
    {
        var token = Secrets.NewToken(random);
        store.Add(PasswordResetToken.Issue(random.NewId(), account.Id, Secrets.Digest(token), now, options.ResetTokenLifetime));
        var minutes = ((int)options.ResetTokenLifetime.TotalMinutes).ToString(CultureInfo.InvariantCulture);
        store.Add(OutboxMessage.Queue(
            random.NewId(),
            NotificationKinds.PasswordReset,
            (account.RecoveryEmail ?? account.Login).Value,
            "Reset your password",
            $"Someone asked to reset the password of {account.Login}. Reset token (valid {minutes} minutes, once): {token}\n"
            + "If it was not you, ignore this message; your password is unchanged.",
            now));
        store.Add(ActivityEntry.Record(random.NewId(), account.Id, askedAt, ActivityKind.PasswordResetRequested, context));
    }
}

/// <summary>A reset request as queued in the outbox: the login asked for and where the request came from.</summary>
internal sealed record PasswordResetRequest(EmailAddress Login, SignInContext Context)
{
    /// <summary>The queued row; its body (login and context) is cleared once handled.</summary>
    public static OutboxMessage Queue(Guid id, EmailAddress login, SignInContext context, DateTimeOffset now) =>
        OutboxMessage.Queue(
            id,
            NotificationKinds.PasswordResetRequest,
            recipient: string.Empty,
            subject: string.Empty,
            JsonSerializer.Serialize(new Payload(login.Value, context.IpAddress, context.DeviceId, context.UserAgent)),
            now);

    /// <summary>The request in a queued row, or null when the row holds none.</summary>
    public static PasswordResetRequest? Read(OutboxMessage message)
    {
        try
        {
            if (JsonSerializer.Deserialize<Payload>(message.Body) is not { } payload)
            {
                return null;
            }

            var login = EmailAddress.Parse(payload.Login, "login");
            return login.IsSuccess ? new PasswordResetRequest(login.Value, new SignInContext(payload.IpAddress, payload.DeviceId, payload.UserAgent)) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Voids the account's unused, unexpired reset tokens (ACC-8): a successful reset, a password
    /// change and a newer request each void every older token.
    /// </summary>
    public static async Task VoidOpenTokensAsync(IAccountStore store, Guid accountId, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var token in await store.ListOpenResetTokensAsync(accountId, now, ct).ConfigureAwait(false))
        {
            token.Void(now);
        }
    }

    private sealed record Payload(string Login, string? IpAddress, string? DeviceId, string? UserAgent);
}
