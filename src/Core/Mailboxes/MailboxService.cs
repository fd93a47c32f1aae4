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
    AccountOptions accountOptions)
{
    /// <summary>Creates a mailbox on the mail service's domain with its own password.</summary>
    public async Task<Result<Mailbox>> CreateAsync(AuthenticatedUser user, Guid organizationId, Guid mailServiceId, string? localPart, string? password, CancellationToken ct = default)
    {
        var service = await MailServiceAsync(user, organizationId, mailServiceId, ct).ConfigureAwait(false);
        if (!service.IsSuccess)
        {
            return service.Error;
        }

        var address = EmailAddress.Parse($"{(localPart ?? string.Empty).Trim()}@{service.Value.Name}", "local_part");
        if (!address.IsSuccess)
        {
            return address.Error;
        }

        if (!address.Value.Value.EndsWith("@" + service.Value.Name.ToLowerInvariant(), StringComparison.Ordinal))
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
    /// unification is made at once, the new password becoming the account's too (MBX-4).
    /// </summary>
    public async Task<Result<(Mailbox Mailbox, UnificationReport Report)>> ChangePasswordAsync(
        AuthenticatedUser user, Guid organizationId, Guid mailboxId, string? newPassword, bool acceptUnification, SignInContext context, CancellationToken ct = default)
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

        var failed = UnificationConditions.Failed(account, mailbox.Value, await store.LinksOfMailboxAsync(mailboxId, ct).ConfigureAwait(false), hasRights: true);
        var hash = await hasher.HashAsync(checkedPassword.Value, ct).ConfigureAwait(false);
        mailbox.Value.SetPasswordHash(hash);
        var now = clock.GetUtcNow();
        var unified = false;
        if (mailbox.Value.UnifiedAccountId is { } unifiedWith)
        {
            // Unified: the account follows the mailbox, as long as the conditions still hold.
            if (failed.Count == 0 && unifiedWith == account.Id)
            {
                account.SetPasswordHash(hash);
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
            unified = true;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return (mailbox.Value, new UnificationReport(failed.Count == 0, unified, failed));
    }

    /// <summary>Accepts an offered unification after the fact, with the mailbox's current password (MBX-4).</summary>
    public async Task<Result<Mailbox>> AcceptUnificationAsync(AuthenticatedUser user, Guid organizationId, Guid mailboxId, string? mailboxPassword, SignInContext context, CancellationToken ct = default)
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

        if (!await PasswordMatchesAsync(mailbox.Value.PasswordHash, mailboxPassword, ct).ConfigureAwait(false))
        {
            return MailboxErrors.InvalidCredentials;
        }

        mailbox.Value.UnifyWith(account.Id);
        account.SetPasswordHash(mailbox.Value.PasswordHash);
        accounts.Add(ActivityEntry.Record(random.NewId(), account.Id, clock.GetUtcNow(), ActivityKind.PasswordUnified, context));
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return mailbox.Value;
    }

    /// <summary>
    /// The mail servers' check (MBX-1): address and mailbox password, never an account password.
    /// Unknown addresses cost and answer the same, and failures are throttled like sign-ins.
    /// </summary>
    public async Task<Result<Done>> CheckCredentialsAsync(string? address, string? password, CancellationToken ct = default)
    {
        var email = EmailAddress.Parse(address, "address");
        if (!email.IsSuccess || string.IsNullOrEmpty(password) || !PasswordPolicy.TryNormalize(password, out var normalized))
        {
            return MailboxErrors.InvalidCredentials;
        }

        var now = clock.GetUtcNow();
        var key = Secrets.Digest("mailbox:" + email.Value.Value);
        var throttle = await accounts.FindThrottleAsync(key, ct).ConfigureAwait(false);
        if (throttle?.Check(now, accountOptions.Throttle) is { } throttled)
        {
            return throttled;
        }

        var mailbox = await store.FindByAddressAsync(email.Value, ct).ConfigureAwait(false);
        var hash = mailbox?.PasswordHash ?? await DummyPassword.HashAsync(hasher, random, ct).ConfigureAwait(false);
        if (mailbox is not null && (await hasher.VerifyAsync(hash, normalized, ct).ConfigureAwait(false)).Matches)
        {
            if (throttle is not null)
            {
                throttle.Reset();
                await store.SaveChangesAsync(ct).ConfigureAwait(false);
            }

            return Done.Value;
        }

        if (mailbox is null)
        {
            await hasher.VerifyAsync(hash, normalized, ct).ConfigureAwait(false);
        }

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

        return MailboxErrors.InvalidCredentials;
    }

    /// <summary>
    /// Shows a mailbox in the caller's webmail (MBX-2): with its password, or with rights on its
    /// mail service. A second account linking a unified mailbox ends the unification (MBX-4 (b)).
    /// </summary>
    public async Task<Result<WebmailMailbox>> LinkWebmailAsync(AuthenticatedUser user, string? address, string? mailboxPassword, SignInContext context, CancellationToken ct = default)
    {
        var email = EmailAddress.Parse(address, "address");
        if (!email.IsSuccess)
        {
            return email.Error;
        }

        var mailbox = await store.FindByAddressAsync(email.Value, ct).ConfigureAwait(false);
        if (mailbox is null)
        {
            return string.IsNullOrEmpty(mailboxPassword) ? MailboxErrors.NotFound : MailboxErrors.InvalidCredentials;
        }

        if (string.IsNullOrEmpty(mailboxPassword))
        {
            if (!await HasRightsAsync(user.AccountId, mailbox, ct).ConfigureAwait(false))
            {
                return MailboxErrors.MailboxPasswordRequired;
            }
        }
        else if (!await PasswordMatchesAsync(mailbox.PasswordHash, mailboxPassword, ct).ConfigureAwait(false))
        {
            return MailboxErrors.InvalidCredentials;
        }

        var links = await store.LinksOfMailboxAsync(mailbox.Id, ct).ConfigureAwait(false);
        if (links.FirstOrDefault(l => l.AccountId == user.AccountId) is { } existing)
        {
            existing.Reconfirm();
            await store.SaveChangesAsync(ct).ConfigureAwait(false);
            return new WebmailMailbox(mailbox, existing);
        }

        var link = WebmailLink.Create(user.AccountId, mailbox.Id, clock.GetUtcNow());
        store.Add(link);
        if (mailbox.UnifiedAccountId is { } unifiedWith && unifiedWith != user.AccountId)
        {
            await EndUnificationAsync(mailbox, context, clock.GetUtcNow(), ct).ConfigureAwait(false);
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return new WebmailMailbox(mailbox, link);
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

        if (!await PasswordMatchesAsync(linked.Value.Mailbox.PasswordHash, mailboxPassword, ct).ConfigureAwait(false))
        {
            return MailboxErrors.InvalidCredentials;
        }

        linked.Value.Link.Reconfirm();
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
        var all = await ListWebmailAsync(user, ct).ConfigureAwait(false);
        return all.IsSuccess ? Pager.Apply(all.Value, w => new PageToken(w.Link.LinkedAt, w.Mailbox.Id), pageSize, pageToken) : all.Error;
    }

    /// <summary>Creates a product credential (ACC-11).</summary>
    public async Task<Result<ProductCredential>> CreateCredentialAsync(AuthenticatedUser user, Guid organizationId, Guid productId, CredentialKind kind, string? username, string? password, CancellationToken ct = default)
    {
        var product = await AccessibleProductAsync(user, organizationId, productId, ct).ConfigureAwait(false);
        if (!product.IsSuccess)
        {
            return product.Error;
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
        var all = await ListCredentialsAsync(user, organizationId, productId, ct).ConfigureAwait(false);
        return all.IsSuccess ? Pager.Apply(all.Value, c => new PageToken(c.CreatedAt, c.Id), pageSize, pageToken) : all.Error;
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
        var organization = await organizations.FindAsync(mailbox.OrganizationId, ct).ConfigureAwait(false);
        return organization?.MemberOf(accountId)?.CanAccessProduct(mailbox.MailServiceId) ?? false;
    }

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
        var organization = await organizations.FindAsync(organizationId, ct).ConfigureAwait(false);
        var member = organization?.MemberOf(user.AccountId);
        if (member is null)
        {
            return OrganizationErrors.NotFound;
        }

        var product = (await organizations.ListProductsAsync(organizationId, ct).ConfigureAwait(false)).FirstOrDefault(p => p.Id == productId);
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

    private async Task<Result<Mailbox>> ManagedMailboxAsync(AuthenticatedUser user, Guid organizationId, Guid mailboxId, CancellationToken ct)
    {
        var organization = await organizations.FindAsync(organizationId, ct).ConfigureAwait(false);
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
            var organization = await organizations.FindAsync(mailbox.OrganizationId, cancellationToken).ConfigureAwait(false);
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

/// <summary>Ends the unification of mailboxes whose account lost its rights on their mail service (MBX-4 (c)).</summary>
public sealed class MailboxRightsObserver(IMailboxStore store, IAccountStore accounts, ISecretGenerator random, TimeProvider clock) : IMembershipChangeObserver
{
    /// <inheritdoc />
    public async Task RightsChangedAsync(Organization organization, Guid accountId, SignInContext context, CancellationToken cancellationToken)
    {
        foreach (var mailbox in await store.ListUnifiedWithAsync(accountId, cancellationToken).ConfigureAwait(false))
        {
            if (mailbox.OrganizationId == organization.Id && !(organization.MemberOf(accountId)?.CanAccessProduct(mailbox.MailServiceId) ?? false))
            {
                mailbox.EndUnification();
                accounts.Add(ActivityEntry.Record(random.NewId(), accountId, clock.GetUtcNow(), ActivityKind.UnificationEnded, context));
            }
        }
    }
}
