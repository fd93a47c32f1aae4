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
public sealed partial class MailboxService(
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

        await accounts.RecordFailureAsync(throttle, key, now, accountOptions.Throttle, ct).ConfigureAwait(false);
        return MailboxErrors.InvalidCredentials;
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
