using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Core.Mailboxes;

/// <summary>The caller's webmail: linking, re-confirming, listing and unlinking mailboxes (MBX-2, MBX-4, MBX-7, ACC-9).</summary>
public sealed partial class MailboxService
{
    /// <summary>
    /// Shows a mailbox in the caller's webmail (MBX-2): with its password, or with rights on its
    /// mail service. A second account linking a unified mailbox ends the unification (MBX-4 (b)).
    /// Guessing the password shares the mail servers' throttle and lock for that address, and an
    /// unknown address answers, and costs, exactly like a known one (MBX-7).
    /// </summary>
    public async Task<Result<WebmailMailbox>> LinkWebmailAsync(AuthenticatedUser user, string? address, string? mailboxPassword, SignInContext context, CancellationToken ct = default)
    {
        var email = EmailAddress.Parse(address, "address");
        if (!email.IsSuccess)
        {
            return email.Error;
        }

        var mailbox = await store.FindByAddressAsync(email.Value, ct).ConfigureAwait(false);
        WebmailGrant grant;
        if (string.IsNullOrEmpty(mailboxPassword))
        {
            if (mailbox is null || !await HasRightsAsync(user.AccountId, mailbox, ct).ConfigureAwait(false) || !await ServiceLiveAsync(mailbox, ct).ConfigureAwait(false))
            {
                return MailboxErrors.MailboxPasswordRequired;
            }

            grant = WebmailGrant.MailServiceRights;
        }
        else
        {
            var verified = await VerifyMailboxPasswordAsync(email.Value, mailbox, mailboxPassword, ct).ConfigureAwait(false);
            if (!verified.IsSuccess)
            {
                return verified.Error;
            }

            grant = WebmailGrant.MailboxPassword;
        }

        var found = mailbox!;
        var links = await store.LinksOfMailboxAsync(found.Id, ct).ConfigureAwait(false);
        if (links.FirstOrDefault(l => l.AccountId == user.AccountId) is { } existing)
        {
            existing.Confirm(grant);
            await store.SaveChangesAsync(ct).ConfigureAwait(false);
            return new WebmailMailbox(found, existing);
        }

        var link = WebmailLink.Create(user.AccountId, found.Id, clock.GetUtcNow(), grant);
        store.Add(link);
        if (found.UnifiedAccountId is { } unifiedWith && unifiedWith != user.AccountId)
        {
            await EndUnificationAsync(found, context, clock.GetUtcNow(), ct).ConfigureAwait(false);
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return new WebmailMailbox(found, link);
    }

    /// <summary>
    /// Removes a mailbox from the caller's webmail. The account unified with the mailbox no longer
    /// has it linked, so the unification ends at once and the end is logged (MBX-4 (b)).
    /// </summary>
    public async Task<Result<Done>> UnlinkWebmailAsync(AuthenticatedUser user, string? address, SignInContext context, CancellationToken ct = default)
    {
        var linked = await LinkOfAsync(user, address, ct).ConfigureAwait(false);
        if (!linked.IsSuccess)
        {
            return linked.Error;
        }

        store.Remove(linked.Value.Link);
        if (linked.Value.Mailbox.UnifiedAccountId == user.AccountId)
        {
            await EndUnificationAsync(linked.Value.Mailbox, context, clock.GetUtcNow(), ct).ConfigureAwait(false);
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    /// <summary>Gives the mailbox password again after an account password change (ACC-9).</summary>
    public async Task<Result<WebmailMailbox>> ReconfirmWebmailAsync(AuthenticatedUser user, string? address, string? mailboxPassword, CancellationToken ct = default)
    {
        var linked = await LinkOfAsync(user, address, ct).ConfigureAwait(false);
        if (!linked.IsSuccess)
        {
            return linked.Error;
        }

        var verified = await VerifyMailboxPasswordAsync(linked.Value.Mailbox.Address, linked.Value.Mailbox, mailboxPassword, ct).ConfigureAwait(false);
        if (!verified.IsSuccess)
        {
            return verified.Error;
        }

        linked.Value.Link.Confirm(WebmailGrant.MailboxPassword);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return linked.Value;
    }

    /// <summary>The mailboxes in the caller's webmail (MBX-2).</summary>
    public async Task<Result<IReadOnlyList<WebmailMailbox>>> ListWebmailAsync(AuthenticatedUser user, CancellationToken ct = default)
    {
        var result = new List<WebmailMailbox>();
        foreach (var link in await store.LinksOfAccountAsync(user.AccountId, ct).ConfigureAwait(false))
        {
            if (await store.FindAsync(link.MailboxId, ct).ConfigureAwait(false) is { } mailbox)
            {
                result.Add(new WebmailMailbox(mailbox, link));
            }
        }

        return result.OrderBy(w => w.Mailbox.Address.Value, StringComparer.Ordinal).ToList();
    }

    /// <summary>One page of the mailboxes in the caller's webmail, in the order they were linked (MBX-2, API-4).</summary>
    public async Task<Result<Page<WebmailMailbox>>> ListWebmailAsync(AuthenticatedUser user, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var rows = await store.WebmailOfAccountAsync(user.AccountId, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        return page.Value.Cut(rows.Select(r => new WebmailMailbox(r.Mailbox, r.Link)).ToList(), w => new PageToken(w.Link.LinkedAt, w.Mailbox.Id));
    }

    private async Task<bool> ServiceLiveAsync(Mailbox mailbox, CancellationToken ct) =>
        (await organizations.FindProductAsync(mailbox.OrganizationId, mailbox.MailServiceId, ct).ConfigureAwait(false))?.Status is { } status && status != ProductStatus.Terminated;

    private async Task<Result<WebmailMailbox>> LinkOfAsync(AuthenticatedUser user, string? address, CancellationToken ct)
    {
        var email = EmailAddress.Parse(address, "address");
        if (!email.IsSuccess)
        {
            return email.Error;
        }

        var mailbox = await store.FindByAddressAsync(email.Value, ct).ConfigureAwait(false);
        var link = mailbox is null ? null : (await store.LinksOfMailboxAsync(mailbox.Id, ct).ConfigureAwait(false)).FirstOrDefault(l => l.AccountId == user.AccountId);
        return mailbox is null || link is null ? MailboxErrors.NotLinked : new WebmailMailbox(mailbox, link);
    }
}
