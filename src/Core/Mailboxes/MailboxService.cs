using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Core.Mailboxes;

/// <summary>What a mailbox password change did about unification (MBX-5).</summary>
public sealed record UnificationReport(bool Offered, bool Unified, IReadOnlyList<string> FailedConditions);

/// <summary>A mailbox in an account's webmail.</summary>
public sealed record WebmailMailbox(Mailbox Mailbox, WebmailLink Link);

/// <summary>
/// The use cases of mailboxes (MBX-1..MBX-5), webmail links and product credentials (ACC-11).
/// </summary>
public sealed class MailboxService(
    IMailboxStore store,
    IOrganizationStore organizations,
    IAccountStore accounts,
    IPasswordHasher hasher,
    PasswordPolicy policy,
    TimeProvider clock,
    ISecretGenerator random,
    AccountOptions accountOptions,
    AccountService accountService)
{
    /// <summary>Creates a mailbox on the mail service's domain with its own password.</summary>
    public async Task<Result<Mailbox>> CreateAsync(AuthenticatedUser user, Guid organizationId, Guid mailServiceId, string? localPart, string? password, CancellationToken ct = default)
    {
        var service = await ActiveMailServiceAsync(user, organizationId, mailServiceId, ct).ConfigureAwait(false);
        if (!service.IsSuccess)
        {
            return service.Error;
        }

        // MBX-6: only under the mail service's own domain, in the form its claim was made in.
        var domain = MailDomain.Normalize(service.Value.Name, "parent");
        if (!domain.IsSuccess)
        {
            return MailboxErrors.WrongDomain;
        }

        var address = EmailAddress.Parse($"{(localPart ?? string.Empty).Trim()}@{domain.Value}", "local_part");
        if (!address.IsSuccess)
        {
            return address.Error;
        }

        if (!address.Value.Value.EndsWith("@" + domain.Value, StringComparison.Ordinal))
        {
            return MailboxErrors.WrongDomain;
        }

        var checkedPassword = policy.Check(password, address.Value, "password");
        if (!checkedPassword.IsSuccess)
        {
            return checkedPassword.Error;
        }

        if (await store.FindByAddressAsync(address.Value, ct).ConfigureAwait(false) is not null)
        {
            return MailboxErrors.AddressTaken;
        }

        var mailbox = Mailbox.Create(random.NewId(), organizationId, mailServiceId, address.Value, await hasher.HashAsync(checkedPassword.Value, ct).ConfigureAwait(false), clock.GetUtcNow());
        store.Add(mailbox);
        try
        {
            await store.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DuplicateKeyException)
        {
            return MailboxErrors.AddressTaken;
        }

        return mailbox;
    }

    /// <summary>The mailboxes of a mail service; members with rights on it.</summary>
    public async Task<Result<IReadOnlyList<Mailbox>>> ListAsync(AuthenticatedUser user, Guid organizationId, Guid mailServiceId, CancellationToken ct = default)
    {
        var service = await MailServiceAsync(user, organizationId, mailServiceId, ct).ConfigureAwait(false);
        if (!service.IsSuccess)
        {
            return service.Error;
        }

        return Result<IReadOnlyList<Mailbox>>.Ok(await store.ListForServiceAsync(mailServiceId, ct).ConfigureAwait(false));
    }

    /// <summary>One page of the mailboxes of a mail service, oldest first (API-4).</summary>
    public async Task<Result<Page<Mailbox>>> ListAsync(AuthenticatedUser user, Guid organizationId, Guid mailServiceId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var service = await MailServiceAsync(user, organizationId, mailServiceId, ct).ConfigureAwait(false);
        if (!service.IsSuccess)
        {
            return service.Error;
        }

        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var rows = await store.ListForServiceAsync(mailServiceId, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        return page.Value.Cut(rows, m => new PageToken(m.CreatedAt, m.Id));
    }

    /// <summary>Deletes a mailbox and its webmail links.</summary>
    public async Task<Result<Done>> DeleteAsync(AuthenticatedUser user, Guid organizationId, Guid mailboxId, CancellationToken ct = default)
    {
        var mailbox = await ManagedMailboxAsync(user, organizationId, mailboxId, ct).ConfigureAwait(false);
        if (!mailbox.IsSuccess)
        {
            return mailbox.Error;
        }

        foreach (var link in await store.LinksOfMailboxAsync(mailboxId, ct).ConfigureAwait(false))
        {
            store.Remove(link);
        }

        store.Remove(mailbox.Value);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

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
    /// The mail servers' check (MBX-1): address and mailbox password, never an account password.
    /// Unknown addresses cost and answer the same, and failures are throttled like sign-ins. A
    /// mailbox of a product that is not active is refused once its password is right (MBX-6).
    /// </summary>
    public async Task<Result<Done>> CheckCredentialsAsync(string? address, string? password, CancellationToken ct = default)
    {
        var email = EmailAddress.Parse(address, "address");
        if (!email.IsSuccess)
        {
            return MailboxErrors.InvalidCredentials;
        }

        var mailbox = await store.FindByAddressAsync(email.Value, ct).ConfigureAwait(false);
        var verified = await VerifyMailboxPasswordAsync(email.Value, mailbox, password, ct).ConfigureAwait(false);
        if (!verified.IsSuccess)
        {
            return verified.Error;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        var service = await organizations.FindProductAsync(mailbox!.OrganizationId, mailbox.MailServiceId, ct).ConfigureAwait(false);
        return service?.Status == ProductStatus.Active ? Done.Value : MailboxErrors.ProductNotActive;
    }

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

    /// <summary>Removes a mailbox from the caller's webmail.</summary>
    public async Task<Result<Done>> UnlinkWebmailAsync(AuthenticatedUser user, string? address, CancellationToken ct = default)
    {
        var linked = await LinkOfAsync(user, address, ct).ConfigureAwait(false);
        if (!linked.IsSuccess)
        {
            return linked.Error;
        }

        store.Remove(linked.Value.Link);
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

    /// <summary>Creates a product credential (ACC-11).</summary>
    public async Task<Result<ProductCredential>> CreateCredentialAsync(AuthenticatedUser user, Guid organizationId, Guid productId, CredentialKind kind, string? username, string? password, CancellationToken ct = default)
    {
        var product = await AccessibleProductAsync(user, organizationId, productId, ct).ConfigureAwait(false);
        if (!product.IsSuccess)
        {
            return product.Error;
        }

        if (product.Value.Status != ProductStatus.Active)
        {
            return MailboxErrors.ProductNotActive;
        }

        var name = (username ?? string.Empty).Trim();
        if (!Enum.IsDefined(kind) || name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            return DomainError.Invalid("username", "INVALID_USERNAME", "A user name has 1 to 64 letters, digits, dots, dashes or underscores, and a kind is required.");
        }

        var checkedPassword = policy.Check(password, null, "password");
        if (!checkedPassword.IsSuccess)
        {
            return checkedPassword.Error;
        }

        var credential = ProductCredential.Create(random.NewId(), organizationId, productId, kind, name, await hasher.HashAsync(checkedPassword.Value, ct).ConfigureAwait(false), clock.GetUtcNow());
        store.Add(credential);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return credential;
    }

    /// <summary>Changes a product credential's password; nothing else changes with it (ACC-11).</summary>
    public async Task<Result<ProductCredential>> SetCredentialPasswordAsync(AuthenticatedUser user, Guid organizationId, Guid credentialId, string? password, CancellationToken ct = default)
    {
        var credential = await store.FindCredentialAsync(credentialId, ct).ConfigureAwait(false);
        if (credential is null || credential.OrganizationId != organizationId)
        {
            return OrganizationErrors.ProductNotFound;
        }

        var product = await AccessibleProductAsync(user, organizationId, credential.ProductId, ct).ConfigureAwait(false);
        if (!product.IsSuccess)
        {
            return product.Error;
        }

        var checkedPassword = policy.Check(password, null, "password");
        if (!checkedPassword.IsSuccess)
        {
            return checkedPassword.Error;
        }

        credential.SetPasswordHash(await hasher.HashAsync(checkedPassword.Value, ct).ConfigureAwait(false));
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return credential;
    }

    /// <summary>The credentials of a product.</summary>
    public async Task<Result<IReadOnlyList<ProductCredential>>> ListCredentialsAsync(AuthenticatedUser user, Guid organizationId, Guid productId, CancellationToken ct = default)
    {
        var product = await AccessibleProductAsync(user, organizationId, productId, ct).ConfigureAwait(false);
        if (!product.IsSuccess)
        {
            return product.Error;
        }

        return Result<IReadOnlyList<ProductCredential>>.Ok(await store.CredentialsOfProductAsync(productId, ct).ConfigureAwait(false));
    }

    /// <summary>One page of the credentials of a product, oldest first (ACC-11, API-4).</summary>
    public async Task<Result<Page<ProductCredential>>> ListCredentialsAsync(AuthenticatedUser user, Guid organizationId, Guid productId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var product = await AccessibleProductAsync(user, organizationId, productId, ct).ConfigureAwait(false);
        if (!product.IsSuccess)
        {
            return product.Error;
        }

        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var rows = await store.CredentialsOfProductAsync(productId, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        return page.Value.Cut(rows, c => new PageToken(c.CreatedAt, c.Id));
    }

    internal async Task EndUnificationAsync(Mailbox mailbox, SignInContext context, DateTimeOffset now, CancellationToken ct)
    {
        if (mailbox.UnifiedAccountId is not { } accountId)
        {
            return;
        }

        mailbox.EndUnification();
        accounts.Add(ActivityEntry.Record(random.NewId(), accountId, now, ActivityKind.UnificationEnded, context));
        await Task.CompletedTask.ConfigureAwait(false);
    }

    internal async Task<bool> HasRightsAsync(Guid accountId, Mailbox mailbox, CancellationToken ct)
    {
        var organization = await organizations.FindAsync(mailbox.OrganizationId, [accountId], ct).ConfigureAwait(false);
        return organization?.MemberOf(accountId)?.CanAccessProduct(mailbox.MailServiceId) ?? false;
    }

    /// <summary>
    /// Checks a mailbox password under the throttle of its address, shared by every path that
    /// takes one (mail servers, webmail). An unknown address verifies a dummy hash and counts a
    /// failure, so neither the answer nor its cost tells whether the address exists (MBX-1,
    /// MBX-7). On success the caller saves the reset throttle with its own changes.
    /// </summary>
    private async Task<Result<Done>> VerifyMailboxPasswordAsync(EmailAddress address, Mailbox? mailbox, string? password, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(password) || !PasswordPolicy.TryNormalize(password, out var normalized))
        {
            return MailboxErrors.InvalidCredentials;
        }

        var now = clock.GetUtcNow();
        var key = Secrets.Digest("mailbox:" + address.Value);
        var throttle = await accounts.FindThrottleAsync(key, ct).ConfigureAwait(false);
        if (throttle?.Check(now, accountOptions.Throttle) is { } throttled)
        {
            return throttled;
        }

        var hash = mailbox?.PasswordHash ?? await DummyPassword.HashAsync(hasher, random, ct).ConfigureAwait(false);
        if ((await hasher.VerifyAsync(hash, normalized, ct).ConfigureAwait(false)).Matches && mailbox is not null)
        {
            throttle?.Reset();
            return Done.Value;
        }

        await RecordFailureAsync(throttle, key, now, ct).ConfigureAwait(false);
        return MailboxErrors.InvalidCredentials;
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

    private async Task RecordFailureAsync(LoginThrottle? throttle, string key, DateTimeOffset now, CancellationToken ct)
    {
        if (throttle is null)
        {
            throttle = LoginThrottle.For(key);
            accounts.Add(throttle);
        }

        throttle.RecordFailure(now, accountOptions.Throttle);
        try
        {
            await store.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DuplicateKeyException)
        {
            // A concurrent failure created the row first and was counted.
        }
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

    private async Task<bool> ServiceLiveAsync(Mailbox mailbox, CancellationToken ct) =>
        (await organizations.FindProductAsync(mailbox.OrganizationId, mailbox.MailServiceId, ct).ConfigureAwait(false))?.Status is { } status && status != ProductStatus.Terminated;

    private async Task<bool> PasswordMatchesAsync(string hash, string? password, CancellationToken ct) =>
        !string.IsNullOrEmpty(password) && PasswordPolicy.TryNormalize(password, out var normalized)
        && (await hasher.VerifyAsync(hash, normalized, ct).ConfigureAwait(false)).Matches;

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

    private async Task<Result<Product>> AccessibleProductAsync(AuthenticatedUser user, Guid organizationId, Guid productId, CancellationToken ct)
    {
        var organization = await organizations.FindAsync(organizationId, [user.AccountId], ct).ConfigureAwait(false);
        var member = organization?.MemberOf(user.AccountId);
        if (member is null)
        {
            return OrganizationErrors.NotFound;
        }

        var product = await organizations.FindProductAsync(organizationId, productId, ct).ConfigureAwait(false);
        if (product is null)
        {
            return OrganizationErrors.ProductNotFound;
        }

        return member.CanAccessProduct(productId) ? product : OrganizationErrors.ProductAccessRequired;
    }

    private async Task<Result<Product>> MailServiceAsync(AuthenticatedUser user, Guid organizationId, Guid productId, CancellationToken ct)
    {
        var product = await AccessibleProductAsync(user, organizationId, productId, ct).ConfigureAwait(false);
        if (!product.IsSuccess)
        {
            return product.Error == OrganizationErrors.ProductAccessRequired ? MailboxErrors.MailServiceRightsRequired : product;
        }

        return product.Value.Type == ProductType.MailService && product.Value.Status != ProductStatus.Terminated ? product : MailboxErrors.NotAMailService;
    }

    private async Task<Result<Product>> ActiveMailServiceAsync(AuthenticatedUser user, Guid organizationId, Guid productId, CancellationToken ct)
    {
        var service = await MailServiceAsync(user, organizationId, productId, ct).ConfigureAwait(false);
        return service.IsSuccess && service.Value.Status != ProductStatus.Active ? MailboxErrors.ProductNotActive : service;
    }

    private async Task<Result<Mailbox>> ManagedMailboxAsync(AuthenticatedUser user, Guid organizationId, Guid mailboxId, CancellationToken ct)
    {
        var organization = await organizations.FindAsync(organizationId, [user.AccountId], ct).ConfigureAwait(false);
        if (organization?.MemberOf(user.AccountId) is null)
        {
            return OrganizationErrors.NotFound;
        }

        var mailbox = await store.FindAsync(mailboxId, ct).ConfigureAwait(false);
        if (mailbox is null || mailbox.OrganizationId != organizationId)
        {
            return MailboxErrors.NotFound;
        }

        return await HasRightsAsync(user.AccountId, mailbox, ct).ConfigureAwait(false) ? mailbox : MailboxErrors.MailServiceRightsRequired;
    }
}

/// <summary>
/// Keeps mailboxes in step with account password changes: a unified mailbox takes the new
/// password while (a)-(c) still hold, else unification ends and is logged; every other webmail
/// link of the account must be re-confirmed with its mailbox password (MBX-4, ACC-9).
/// </summary>
public sealed class MailboxPasswordSync(IMailboxStore store, IOrganizationStore organizations, IAccountStore accounts, ISecretGenerator random) : IAccountPasswordSync
{
    /// <inheritdoc />
    public async Task AccountPasswordChangedAsync(UserAccount account, SignInContext context, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var keptUnified = new HashSet<Guid>();
        foreach (var mailbox in await store.ListUnifiedWithAsync(account.Id, cancellationToken).ConfigureAwait(false))
        {
            var links = await store.LinksOfMailboxAsync(mailbox.Id, cancellationToken).ConfigureAwait(false);
            var organization = await organizations.FindAsync(mailbox.OrganizationId, [account.Id], cancellationToken).ConfigureAwait(false);
            var hasRights = organization?.MemberOf(account.Id)?.CanAccessProduct(mailbox.MailServiceId) ?? false;
            if (UnificationConditions.Failed(account, mailbox, links, hasRights).Count == 0)
            {
                mailbox.SetPasswordHash(account.PasswordHash);
                keptUnified.Add(mailbox.Id);
            }
            else
            {
                mailbox.EndUnification();
                accounts.Add(ActivityEntry.Record(random.NewId(), account.Id, now, ActivityKind.UnificationEnded, context));
            }
        }

        foreach (var link in await store.LinksOfAccountAsync(account.Id, cancellationToken).ConfigureAwait(false))
        {
            if (!keptUnified.Contains(link.MailboxId))
            {
                link.RequireReconfirmation();
            }
        }
    }
}

/// <summary>
/// Follows rights that ended: the unification of mailboxes whose account lost its rights on their
/// mail service ends (MBX-4 (c)), and webmail links made through those rights end (MBX-7), in the
/// transaction of the change.
/// </summary>
public sealed class MailboxRightsObserver(IMailboxStore store, IAccountStore accounts, ISecretGenerator random, TimeProvider clock) : IMembershipChangeObserver
{
    /// <inheritdoc />
    public async Task RightsChangedAsync(Organization organization, Guid accountId, SignInContext context, CancellationToken cancellationToken)
    {
        var member = organization.MemberOf(accountId);
        foreach (var mailbox in await store.ListUnifiedWithAsync(accountId, cancellationToken).ConfigureAwait(false))
        {
            if (mailbox.OrganizationId == organization.Id && !(member?.CanAccessProduct(mailbox.MailServiceId) ?? false))
            {
                mailbox.EndUnification();
                accounts.Add(ActivityEntry.Record(random.NewId(), accountId, clock.GetUtcNow(), ActivityKind.UnificationEnded, context));
            }
        }

        foreach (var link in await store.LinksOfAccountAsync(accountId, cancellationToken).ConfigureAwait(false))
        {
            if (link.Grant == WebmailGrant.MailServiceRights
                && await store.FindAsync(link.MailboxId, cancellationToken).ConfigureAwait(false) is { } mailbox
                && mailbox.OrganizationId == organization.Id
                && !(member?.CanAccessProduct(mailbox.MailServiceId) ?? false))
            {
                store.Remove(link);
            }
        }
    }

    /// <inheritdoc />
    public async Task ProductTerminatedAsync(Organization organization, Product product, CancellationToken cancellationToken)
    {
        foreach (var link in await store.LinksOfServiceAsync(product.Id, cancellationToken).ConfigureAwait(false))
        {
            if (link.Grant == WebmailGrant.MailServiceRights)
            {
                store.Remove(link);
            }
        }
    }
}
