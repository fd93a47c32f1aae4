using Hosting.Core.Accounts;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Core.Mailboxes;

/// <summary>Changing a mailbox password, and unifying it with the account password (MBX-3, MBX-4, MBX-5, MBX-7).</summary>
public sealed partial class MailboxService
{
    /// <summary>
    /// Changes a mailbox password (MBX-3) and reports whether unification is offered and, if not,
    /// which of (a), (b), (c) failed (MBX-5); with <paramref name="acceptUnification"/> an offered
    /// unification is made at once, the new password becoming the account's too (MBX-4). Whenever
    /// the change sets the account password (accepting, or changing a mailbox unified with the
    /// caller's account) it needs the account's <paramref name="currentPassword"/> and ends the
    /// account's other sessions, as a password change does. Other accounts' links made with the
    /// old mailbox password must be re-confirmed (MBX-7).
    /// </summary>
    public async Task<Result<(Mailbox Mailbox, UnificationReport Report)>> ChangePasswordAsync(
        AuthenticatedUser user, Guid organizationId, Guid mailboxId, string? newPassword, bool acceptUnification, string? currentPassword, SignInContext context, CancellationToken ct = default)
    {
        var mailbox = await ManagedMailboxAsync(user, organizationId, mailboxId, ct).ConfigureAwait(false);
        if (!mailbox.IsSuccess)
        {
            return mailbox.Error;
        }

        var checkedPassword = policy.Check(newPassword, mailbox.Value.Address, "new_password");
        if (!checkedPassword.IsSuccess)
        {
            return checkedPassword.Error;
        }

        var account = await accounts.FindAccountAsync(user.AccountId, ct).ConfigureAwait(false);
        if (account is null)
        {
            return AccountErrors.SessionInvalid;
        }

        var links = await store.LinksOfMailboxAsync(mailboxId, ct).ConfigureAwait(false);
        var failed = UnificationConditions.Failed(account, mailbox.Value, links, hasRights: true);
        var now = clock.GetUtcNow();
        var setsAccountPassword = failed.Count == 0
            && (mailbox.Value.UnifiedAccountId == account.Id || (mailbox.Value.UnifiedAccountId is null && acceptUnification));
        if (setsAccountPassword)
        {
            var confirmed = await ConfirmAccountPasswordAsync(user, currentPassword, context, ct).ConfigureAwait(false);
            if (!confirmed.IsSuccess)
            {
                return confirmed.Error;
            }
        }

        var hash = await hasher.HashAsync(checkedPassword.Value, ct).ConfigureAwait(false);
        mailbox.Value.SetPasswordHash(hash);
        foreach (var link in links.Where(l => l.Grant == WebmailGrant.MailboxPassword && l.AccountId != account.Id))
        {
            link.RequireReconfirmation();
        }

        var unified = false;
        if (mailbox.Value.UnifiedAccountId is { } unifiedWith)
        {
            // Unified: the account follows the mailbox, as long as the conditions still hold.
            if (failed.Count == 0 && unifiedWith == account.Id)
            {
                account.SetPasswordHash(hash);
                await AccountPasswordSetAsync(account, mailbox.Value, user, context, now, ct).ConfigureAwait(false);
                unified = true;
            }
            else
            {
                await EndUnificationAsync(mailbox.Value, context, now, ct).ConfigureAwait(false);
            }
        }
        else if (acceptUnification && failed.Count == 0)
        {
            mailbox.Value.UnifyWith(account.Id);
            account.SetPasswordHash(hash);
            accounts.Add(ActivityEntry.Record(random.NewId(), account.Id, now, ActivityKind.PasswordUnified, context));
            await AccountPasswordSetAsync(account, mailbox.Value, user, context, now, ct).ConfigureAwait(false);
            unified = true;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return (mailbox.Value, new UnificationReport(failed.Count == 0, unified, failed));
    }

    /// <summary>
    /// Accepts an offered unification after the fact, with the mailbox's current password and the
    /// account's (<paramref name="currentPassword"/>); the account's other sessions end (MBX-4).
    /// </summary>
    public async Task<Result<Mailbox>> AcceptUnificationAsync(
        AuthenticatedUser user, Guid organizationId, Guid mailboxId, string? mailboxPassword, string? currentPassword, SignInContext context, CancellationToken ct = default)
    {
        var mailbox = await ManagedMailboxAsync(user, organizationId, mailboxId, ct).ConfigureAwait(false);
        if (!mailbox.IsSuccess)
        {
            return mailbox.Error;
        }

        var account = await accounts.FindAccountAsync(user.AccountId, ct).ConfigureAwait(false);
        if (account is null)
        {
            return AccountErrors.SessionInvalid;
        }

        var failed = UnificationConditions.Failed(account, mailbox.Value, await store.LinksOfMailboxAsync(mailboxId, ct).ConfigureAwait(false), hasRights: true);
        if (failed.Count > 0)
        {
            return MailboxErrors.UnificationNotOffered(failed);
        }

        var verified = await VerifyMailboxPasswordAsync(mailbox.Value.Address, mailbox.Value, mailboxPassword, ct).ConfigureAwait(false);
        if (!verified.IsSuccess)
        {
            return verified.Error;
        }

        var now = clock.GetUtcNow();
        var confirmed = await ConfirmAccountPasswordAsync(user, currentPassword, context, ct).ConfigureAwait(false);
        if (!confirmed.IsSuccess)
        {
            return confirmed.Error;
        }

        mailbox.Value.UnifyWith(account.Id);
        account.SetPasswordHash(mailbox.Value.PasswordHash);
        accounts.Add(ActivityEntry.Record(random.NewId(), account.Id, now, ActivityKind.PasswordUnified, context));
        await AccountPasswordSetAsync(account, mailbox.Value, user, context, now, ct).ConfigureAwait(false);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return mailbox.Value;
    }

    /// <summary>
    /// Checks the account's current password before a change that sets it (MBX-4, ACC-9), as the
    /// account use cases do: a wrong one counts as a failed sign-in (ACC-13) and commits only that.
    /// </summary>
    private async Task<Result<Done>> ConfirmAccountPasswordAsync(AuthenticatedUser user, string? currentPassword, SignInContext context, CancellationToken ct)
    {
        var loaded = await accountService.LoadWithPasswordAsync(user, currentPassword, context, ct).ConfigureAwait(false);
        return loaded.IsSuccess ? Done.Value : loaded.Error;
    }

    /// <summary>
    /// The account password was just set through a mailbox: as after a password change (ACC-9),
    /// its other webmail links ask for their mailbox password again, and the account use cases
    /// do the rest (sessions, notice, reset tokens, log).
    /// </summary>
    private async Task AccountPasswordSetAsync(UserAccount account, Mailbox unifiedMailbox, AuthenticatedUser user, SignInContext context, DateTimeOffset now, CancellationToken ct)
    {
        // Only one mailbox can be unified with an account: the one whose address is its login.
        foreach (var link in await store.LinksOfAccountAsync(account.Id, ct).ConfigureAwait(false))
        {
            if (link.MailboxId != unifiedMailbox.Id)
            {
                link.RequireReconfirmation();
            }
        }

        await accountService.PasswordSetElsewhereAsync(account, user, context, now, ct).ConfigureAwait(false);
    }
}
