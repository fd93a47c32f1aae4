using System.Globalization;
using Hosting.Core.Accounts;
using Hosting.Core.Notifications;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>A member as listed: the membership and the member's login.</summary>
public sealed record MemberView(Membership Membership, EmailAddress Login)
{
    /// <summary>The organization's etag when the member was read: memberships are part of the organization (API-4).</summary>
    public string ETag { get; init; } = string.Empty;
}

/// <summary>An organization as one of its members sees it.</summary>
public sealed record OrganizationView(Organization Organization, Membership Me, bool IsCurrent);

/// <summary>What a first order created (ORG-1).</summary>
public sealed record FirstOrder(UserAccount Account, Organization Organization, Product Product);

/// <summary>
/// The use cases of organizations, members, invitations and products (ORG-1..ORG-11, ACC-10).
/// Every call names its organization and is checked against the caller's membership there; a
/// caller who is not a member learns nothing, not even that the organization exists.
/// </summary>
public sealed class OrganizationService(
    IOrganizationStore store,
    IAccountStore accountStore,
    AccountService accounts,
    IProductCatalogue catalogue,
    IOrganizationFinances finances,
    TimeProvider clock,
    ISecretGenerator random,
    OrganizationOptions options,
    IMembershipChangeObserver? membershipObserver = null)
{
    private readonly MailDomains _mailDomains = new(store);

    /// <summary>Creates an organization; the creator becomes its legal representative and administrator (ORG-2).</summary>
    public async Task<Result<OrganizationView>> CreateAsync(AuthenticatedUser user, ContactDetails contact, CancellationToken ct = default)
    {
        var valid = contact.Validated("contact_details");
        if (!valid.IsSuccess)
        {
            return valid.Error;
        }

        var account = await accountStore.FindAccountAsync(user.AccountId, ct).ConfigureAwait(false);
        if (account is null)
        {
            return AccountErrors.SessionInvalid;
        }

        var organization = Organization.Create(random.NewId(), valid.Value, user.AccountId, clock.GetUtcNow());
        store.Add(organization);
        if (account.CurrentOrganizationId is null)
        {
            account.SwitchOrganization(organization.Id);
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return new OrganizationView(organization, organization.Memberships[0], account.CurrentOrganizationId == organization.Id);
    }

    /// <summary>
    /// A first order without an account (ORG-1): creates the account, the organization named after
    /// the person or company, and the product awaiting payment, in one transaction.
    /// </summary>
    public async Task<Result<FirstOrder>> OrderFirstProductAsync(
        ContactDetails contact, string? login, string? password, ProductType productType, string? productName, SignInContext context, CancellationToken ct = default)
    {
        var valid = contact.Validated("contact_details");
        if (!valid.IsSuccess)
        {
            return valid.Error;
        }

        if (!Enum.IsDefined(productType) || await catalogue.FindAsync(productType, ct).ConfigureAwait(false) is not { } entry)
        {
            return OrganizationErrors.UnknownProductType;
        }

        var now = clock.GetUtcNow();
        var organizationId = random.NewId();
        var product = Product.Order(random.NewId(), organizationId, productType, productName, Money.FromTrusted(entry.PriceMinor, entry.Currency), now);
        if (!product.IsSuccess)
        {
            return product.Error;
        }

        var claimed = await _mailDomains.ClaimAsync(product.Value, "product_display_name", now, ct).ConfigureAwait(false);
        if (!claimed.IsSuccess)
        {
            return claimed.Error;
        }

        var account = await accounts.PrepareSignUpAsync(login, password, null, context, "", ct).ConfigureAwait(false);
        if (!account.IsSuccess)
        {
            return account.Error;
        }

        var organization = Organization.Create(organizationId, valid.Value, account.Value.Id, now);
        store.Add(organization);
        store.Add(product.Value);
        account.Value.SwitchOrganization(organization.Id);
        try
        {
            await store.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DuplicateKeyException e) when (MailDomains.IsClaimConflict(e))
        {
            return MailDomains.Taken("product_display_name");
        }
        catch (DuplicateKeyException)
        {
            return AccountErrors.LoginTaken;
        }

        return new FirstOrder(account.Value, organization, product.Value);
    }

    /// <summary>One of the caller's organizations.</summary>
    public async Task<Result<OrganizationView>> GetAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var found = await MemberViewAsync(user, organizationId, ct).ConfigureAwait(false);
        return found;
    }

    /// <summary>The caller's organizations, oldest first, with the current one marked (ORG-5).</summary>
    public async Task<Result<Page<OrganizationView>>> ListMineAsync(AuthenticatedUser user, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var current = await CurrentOrganizationAsync(user, ct).ConfigureAwait(false);
        var organizations = await store.ListForAccountAsync(user.AccountId, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        var views = organizations.Select(o => new OrganizationView(o, o.MemberOf(user.AccountId)!, o.Id == current)).ToList();
        return page.Value.Cut(views, v => new PageToken(v.Organization.CreatedAt, v.Organization.Id));
    }

    /// <summary>Makes one of the caller's organizations the current one, at once (ORG-5).</summary>
    public async Task<Result<OrganizationView>> SwitchAsync(AuthenticatedUser user, Guid organizationId, SignInContext context, CancellationToken ct = default)
    {
        var view = await MemberViewAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!view.IsSuccess)
        {
            return view;
        }

        var account = await accountStore.FindAccountAsync(user.AccountId, ct).ConfigureAwait(false);
        if (account is null)
        {
            return AccountErrors.SessionInvalid;
        }

        var now = clock.GetUtcNow();
        account.SwitchOrganization(organizationId);
        store.Add(ActivityEntry.Record(random.NewId(), account.Id, now, ActivityKind.OrganizationSwitched, context));
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return view.Value with { IsCurrent = true };
    }

    /// <summary>Replaces the contact details (ORG-11); administrators and legal representatives only.</summary>
    public async Task<Result<OrganizationView>> UpdateContactAsync(
        AuthenticatedUser user, Guid organizationId, Func<ContactDetails, ContactDetails> change, string? etag, CancellationToken ct = default)
    {
        var view = await MemberViewAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!view.IsSuccess)
        {
            return view;
        }

        var organization = view.Value.Organization;
        var manager = organization.Manager(user.AccountId);
        if (!manager.IsSuccess)
        {
            return manager.Error;
        }

        if (!string.IsNullOrEmpty(etag) && etag != organization.ETag)
        {
            return OrganizationErrors.ETagMismatch;
        }

        var contact = change(organization.Contact).Validated("organization.contact_details");
        if (!contact.IsSuccess)
        {
            return contact.Error;
        }

        organization.UpdateContact(user.AccountId, contact.Value);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return view;
    }

    /// <summary>
    /// Deletes an organization (ORG-9): legal representatives only, and only with every product
    /// terminated, a zero wallet with no pending withdrawal and no unpaid invoice. Every unmet
    /// condition is reported at once. Accounts are kept.
    /// </summary>
    public async Task<Result<Done>> DeleteAsync(AuthenticatedUser user, Guid organizationId, bool emailPaidInvoices, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId], ct).ConfigureAwait(false);
        if (organization?.MemberOf(user.AccountId) is null)
        {
            return OrganizationErrors.NotFound;
        }

        var representative = organization.LegalRepresentative(user.AccountId);
        if (!representative.IsSuccess)
        {
            return representative.Error;
        }

        var products = await store.ListProductsAsync(organizationId, ct).ConfigureAwait(false);
        var standing = await finances.StandingAsync(organizationId, ct).ConfigureAwait(false);
        var unmet = new List<(string Type, string Subject, string Description)>();
        foreach (var product in products.Where(p => p.Status != ProductStatus.Terminated))
        {
            unmet.Add(("ACTIVE_PRODUCT", $"organizations/{organizationId}/products/{product.Id}", $"Product {product.Name} is not terminated."));
        }

        foreach (var balance in standing.WalletBalances.Where(b => b.Minor != 0))
        {
            unmet.Add(("WALLET_NOT_EMPTY", $"organizations/{organizationId}/wallets/{balance.Currency}", $"The {balance.Currency} wallet balance is not zero."));
        }

        if (standing.WithdrawalPending)
        {
            unmet.Add(("WITHDRAWAL_PENDING", $"organizations/{organizationId}/wallets", "A wallet withdrawal is pending."));
        }

        foreach (var invoice in standing.UnpaidInvoiceNumbers)
        {
            unmet.Add(("UNPAID_INVOICE", $"organizations/{organizationId}/invoices/{invoice.Id}", $"Invoice {invoice.Number} is unpaid."));
        }

        if (standing.UnpaidInvoices > standing.UnpaidInvoiceNumbers.Count)
        {
            unmet.Add(("UNPAID_INVOICES", $"organizations/{organizationId}/invoices", $"{standing.UnpaidInvoices.ToString(CultureInfo.InvariantCulture)} invoice(s) are unpaid."));
        }

        if (unmet.Count > 0)
        {
            return new DomainError(ErrorKind.FailedPrecondition, "ORGANIZATION_NOT_DELETABLE", "The organization cannot be deleted yet.") { Preconditions = unmet };
        }

        var now = clock.GetUtcNow();
        organization.MarkDeleted(now);
        foreach (var member in await store.AccountsCurrentlyInAsync(organizationId, ct).ConfigureAwait(false))
        {
            member.SwitchOrganization(null);
        }

        if (emailPaidInvoices)
        {
            var login = (await accountStore.FindAccountAsync(user.AccountId, ct).ConfigureAwait(false))!.Login;
            var list = standing.PaidInvoiceNumbers.Count == 0 ? "(none)" : string.Join(", ", standing.PaidInvoiceNumbers);
            store.Add(OutboxMessage.Queue(random.NewId(), "organization-deleted-invoices", login.Value,
                $"Invoices of {organization.Name}", $"The organization {organization.Name} was deleted. Its paid invoices: {list}.", now));
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    /// <summary>The members, oldest first, with their logins; any member may list them.</summary>
    public async Task<Result<Page<MemberView>>> ListMembersAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var request = PageRequest.Parse(pageSize, pageToken);
        if (!request.IsSuccess)
        {
            return request.Error;
        }

        var view = await MemberViewAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!view.IsSuccess)
        {
            return view.Error;
        }

        // One page of members and of their logins: neither grows with the organization.
        var rows = await store.ListMembersAsync(organizationId, request.Value.After, request.Value.Fetch, ct).ConfigureAwait(false);
        var page = request.Value.Cut(rows, m => new PageToken(m.JoinedAt, m.AccountId));
        var logins = await store.LoginsAsync(page.Items.Select(m => m.AccountId), ct).ConfigureAwait(false);
        var etag = view.Value.Organization.ETag;
        var members = page.Items.Where(m => logins.ContainsKey(m.AccountId)).Select(m => new MemberView(m, logins[m.AccountId]) { ETag = etag }).ToList();
        return new Page<MemberView>(members, page.NextPageToken);
    }

    /// <summary>Changes a member's rights (ORG-3, ORG-6, ORG-7).</summary>
    public async Task<Result<Membership>> UpdateMemberAsync(
        AuthenticatedUser user, Guid organizationId, Guid memberAccountId, Func<MemberRights, MemberRights> change, bool demoteLegalRepresentative, CancellationToken ct = default)
    {
        var updated = await UpdateMemberAsync(user, organizationId, memberAccountId, change, demoteLegalRepresentative, null, ct).ConfigureAwait(false);
        return updated.IsSuccess ? updated.Value.Membership : updated.Error;
    }

    /// <summary>
    /// Changes a member's rights (ORG-3, ORG-6, ORG-7), refusing a stale organization
    /// <paramref name="etag"/> with ABORTED <c>ETAG_MISMATCH</c>; without an etag the change applies (API-4).
    /// </summary>
    public async Task<Result<MemberView>> UpdateMemberAsync(
        AuthenticatedUser user, Guid organizationId, Guid memberAccountId, Func<MemberRights, MemberRights> change, bool demoteLegalRepresentative, string? etag, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId, memberAccountId], ct).ConfigureAwait(false);
        if (organization?.MemberOf(user.AccountId) is null)
        {
            return OrganizationErrors.NotFound;
        }

        var member = organization.MemberOf(memberAccountId);
        if (member is null)
        {
            return organization.Manager(user.AccountId) is { IsSuccess: false } denied ? denied.Error : OrganizationErrors.MemberNotFound;
        }

        if (organization.Manager(user.AccountId) is { IsSuccess: false } notManager)
        {
            return notManager.Error;
        }

        if (!string.IsNullOrEmpty(etag) && etag != organization.ETag)
        {
            return OrganizationErrors.ETagMismatch;
        }

        var products = (await store.ListProductsAsync(organizationId, ct).ConfigureAwait(false)).Select(p => p.Id).ToHashSet();
        var changed = organization.ChangeRights(user.AccountId, memberAccountId, change(member.Rights), demoteLegalRepresentative, products);
        if (!changed.IsSuccess)
        {
            return changed.Error;
        }

        await ObserveAsync(organization, memberAccountId, ct).ConfigureAwait(false);

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        var logins = await store.LoginsAsync([memberAccountId], ct).ConfigureAwait(false);
        return logins.TryGetValue(memberAccountId, out var login)
            ? new MemberView(member, login) { ETag = organization.ETag }
            : OrganizationErrors.MemberNotFound;
    }

    /// <summary>Removes a member (ORG-6, ORG-7).</summary>
    public async Task<Result<Done>> RemoveMemberAsync(AuthenticatedUser user, Guid organizationId, Guid memberAccountId, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId, memberAccountId], ct).ConfigureAwait(false);
        if (organization?.MemberOf(user.AccountId) is null)
        {
            return OrganizationErrors.NotFound;
        }

        var removed = organization.RemoveMember(user.AccountId, memberAccountId);
        if (!removed.IsSuccess)
        {
            return removed.Error;
        }

        await ClearCurrentAsync(memberAccountId, organizationId, ct).ConfigureAwait(false);
        await ObserveAsync(organization, memberAccountId, ct).ConfigureAwait(false);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    /// <summary>The caller leaves (ORG-6).</summary>
    public async Task<Result<Done>> LeaveAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId], ct).ConfigureAwait(false);
        if (organization is null)
        {
            return OrganizationErrors.NotFound;
        }

        var left = organization.Leave(user.AccountId);
        if (!left.IsSuccess)
        {
            return left.Error;
        }

        await ClearCurrentAsync(user.AccountId, organizationId, ct).ConfigureAwait(false);
        await ObserveAsync(organization, user.AccountId, ct).ConfigureAwait(false);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    /// <summary>Invites an address (ORG-4); administrators and legal representatives only.</summary>
    public async Task<Result<Invitation>> InviteAsync(AuthenticatedUser user, Guid organizationId, string? email, MemberRights rights, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId], ct).ConfigureAwait(false);
        if (organization?.MemberOf(user.AccountId) is null)
        {
            return OrganizationErrors.NotFound;
        }

        var manager = organization.Manager(user.AccountId);
        if (!manager.IsSuccess)
        {
            return manager.Error;
        }

        var address = EmailAddress.Parse(email, "email");
        if (!address.IsSuccess)
        {
            return address.Error;
        }

        var products = (await store.ListProductsAsync(organizationId, ct).ConfigureAwait(false)).Select(p => p.Id).ToHashSet();
        if (!rights.Administrator && rights.ProductIds.Any(p => !products.Contains(p)))
        {
            return OrganizationErrors.UnknownProductInRights;
        }

        var existing = await accountStore.FindAccountByLoginAsync(address.Value, ct).ConfigureAwait(false);
        if (existing is not null && await store.FindAsync(organizationId, [existing.Id], ct).ConfigureAwait(false) is { } withInvitee && withInvitee.MemberOf(existing.Id) is not null)
        {
            return OrganizationErrors.AlreadyMember;
        }

        var now = clock.GetUtcNow();
        if (await store.HasPendingInvitationAsync(organizationId, address.Value, now, ct).ConfigureAwait(false))
        {
            return InvitationErrors.AlreadyInvited;
        }

        var invitation = Invitation.Send(random.NewId(), organizationId, address.Value, rights, user.AccountId, now, options.InvitationLifetime);
        store.Add(invitation);
        QueueInvitationEmail(organization, invitation, existing is not null, now);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return invitation;
    }

    /// <summary>The organization's invitations, oldest first; administrators and legal representatives only.</summary>
    public async Task<Result<Page<Invitation>>> ListInvitationsAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var organization = await ManagedAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var invitations = await store.ListInvitationsAsync(organizationId, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        return page.Value.Cut(invitations, i => new PageToken(i.CreatedAt, i.Id));
    }

    /// <summary>Sends an invitation again with a fresh expiry (ORG-4).</summary>
    public async Task<Result<Invitation>> ResendInvitationAsync(AuthenticatedUser user, Guid organizationId, Guid invitationId, CancellationToken ct = default)
    {
        var found = await ManagedInvitationAsync(user, organizationId, invitationId, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var (organization, invitation) = found.Value;
        var now = clock.GetUtcNow();
        var resent = invitation.Resend(now, options.InvitationLifetime);
        if (!resent.IsSuccess)
        {
            return resent.Error;
        }

        var hasAccount = await accountStore.FindAccountByLoginAsync(invitation.Email, ct).ConfigureAwait(false) is not null;
        QueueInvitationEmail(organization, invitation, hasAccount, now);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return invitation;
    }

    /// <summary>Withdraws an invitation (ORG-4).</summary>
    public async Task<Result<Invitation>> RevokeInvitationAsync(AuthenticatedUser user, Guid organizationId, Guid invitationId, CancellationToken ct = default)
    {
        var found = await ManagedInvitationAsync(user, organizationId, invitationId, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var revoked = found.Value.Invitation.Revoke(clock.GetUtcNow());
        if (!revoked.IsSuccess)
        {
            return revoked.Error;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return found.Value.Invitation;
    }

    /// <summary>The invitations addressed to the caller's login that can still be accepted.</summary>
    public async Task<Result<IReadOnlyList<(Invitation Invitation, string OrganizationName)>>> ListMyInvitationsAsync(AuthenticatedUser user, CancellationToken ct = default)
    {
        var account = await accountStore.FindAccountAsync(user.AccountId, ct).ConfigureAwait(false);
        if (account is null)
        {
            return AccountErrors.SessionInvalid;
        }

        var page = await ListMyInvitationsAsync(user, PageToken.MaxSize, null, ct).ConfigureAwait(false);
        return page.IsSuccess ? Result<IReadOnlyList<(Invitation Invitation, string OrganizationName)>>.Ok(page.Value.Items) : page.Error;
    }

    /// <summary>One page of the pending invitations addressed to the caller's login, oldest first (ORG-4, API-4).</summary>
    public async Task<Result<Page<(Invitation Invitation, string OrganizationName)>>> ListMyInvitationsAsync(AuthenticatedUser user, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var account = await accountStore.FindAccountAsync(user.AccountId, ct).ConfigureAwait(false);
        if (account is null)
        {
            return AccountErrors.SessionInvalid;
        }

        // Pending state and live organizations are filtered in the store, so a page is one seek.
        var rows = await store.ListPendingInvitationsForAsync(account.Login, clock.GetUtcNow(), page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        var names = await store.NamesAsync(rows.Select(i => i.OrganizationId).Distinct(), ct).ConfigureAwait(false);
        var items = rows.Where(i => names.ContainsKey(i.OrganizationId)).Select(i => (i, names[i.OrganizationId])).ToList();
        return page.Value.Cut<(Invitation Invitation, string OrganizationName)>(items, i => new PageToken(i.Invitation.CreatedAt, i.Invitation.Id));
    }

    /// <summary>Accepts an invitation addressed to the caller's login; the organization appears in their list (ORG-4).</summary>
    public async Task<Result<OrganizationView>> AcceptInvitationAsync(AuthenticatedUser user, Guid invitationId, CancellationToken ct = default)
    {
        var account = await accountStore.FindAccountAsync(user.AccountId, ct).ConfigureAwait(false);
        var invitation = await store.FindInvitationAsync(invitationId, ct).ConfigureAwait(false);
        if (account is null || invitation is null)
        {
            return InvitationErrors.NotFound;
        }

        var organization = await store.FindAsync(invitation.OrganizationId, [account.Id], ct).ConfigureAwait(false);
        if (organization is null)
        {
            return InvitationErrors.NotFound;
        }

        var now = clock.GetUtcNow();
        var accepted = invitation.Accept(account.Login, now);
        if (!accepted.IsSuccess)
        {
            return accepted.Error;
        }

        // Products terminated since the invitation was sent are no longer granted.
        var products = (await store.ListProductsAsync(organization.Id, ct).ConfigureAwait(false)).Select(p => p.Id).ToHashSet();
        var rights = invitation.Rights with { ProductIds = invitation.Rights.ProductIds.Where(products.Contains).ToArray() };
        var added = organization.AddMember(account.Id, rights, now);
        if (!added.IsSuccess)
        {
            return added.Error;
        }

        if (account.CurrentOrganizationId is null)
        {
            account.SwitchOrganization(organization.Id);
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return new OrganizationView(organization, organization.MemberOf(account.Id)!, account.CurrentOrganizationId == organization.Id);
    }

    /// <summary>A legal representative proposes a member as legal representative (ORG-8).</summary>
    public async Task<Result<Organization>> ProposeLegalRepresentativeAsync(AuthenticatedUser user, Guid organizationId, Guid candidateAccountId, bool replaceMe, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId, candidateAccountId], ct).ConfigureAwait(false);
        if (organization?.MemberOf(user.AccountId) is null)
        {
            return OrganizationErrors.NotFound;
        }

        var proposed = organization.ProposeLegalRepresentative(user.AccountId, candidateAccountId, replaceMe);
        if (!proposed.IsSuccess)
        {
            return proposed.Error;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return organization;
    }

    /// <summary>The proposed member accepts; the handover happens in one change (ORG-8).</summary>
    public async Task<Result<Organization>> AcceptLegalRepresentativeAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId], ct).ConfigureAwait(false);
        if (organization?.MemberOf(user.AccountId) is null)
        {
            return OrganizationErrors.NotFound;
        }

        var accepted = organization.AcceptLegalRepresentative(user.AccountId);
        if (!accepted.IsSuccess)
        {
            return accepted.Error;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return organization;
    }

    /// <summary>The products the caller may see: all for managers, their own for limited members.</summary>
    public async Task<Result<Page<Product>>> ListProductsAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var view = await MemberViewAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!view.IsSuccess)
        {
            return view.Error;
        }

        var me = view.Value.Me;
        var rows = await store.ListProductsAsync(organizationId, me.CanManage ? null : me.ProductIds, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        return page.Value.Cut(rows, p => new PageToken(p.CreatedAt, p.Id));
    }

    /// <summary>Terminates a product; administrators and legal representatives only.</summary>
    public async Task<Result<Product>> TerminateProductAsync(AuthenticatedUser user, Guid organizationId, Guid productId, CancellationToken ct = default)
    {
        var organization = await ManagedAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var product = await store.FindProductAsync(organizationId, productId, ct).ConfigureAwait(false);
        if (product is null)
        {
            return OrganizationErrors.ProductNotFound;
        }

        var terminated = product.Terminate(clock.GetUtcNow());
        if (!terminated.IsSuccess)
        {
            return terminated.Error;
        }

        // What the product granted ends with it, in the same transaction (MBX-6, MBX-7).
        await _mailDomains.ReleaseAsync(product, ct).ConfigureAwait(false);
        if (membershipObserver is not null)
        {
            await membershipObserver.ProductTerminatedAsync(organization.Value, product, ct).ConfigureAwait(false);
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return product;
    }

    /// <summary>Sets the logo after validating it (ORG-10); administrators and legal representatives only.</summary>
    public async Task<Result<StoredLogo>> SetLogoAsync(AuthenticatedUser user, Guid organizationId, byte[]? content, CancellationToken ct = default)
    {
        var organization = await ManagedAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var logo = OrganizationLogo.Validate(content);
        if (!logo.IsSuccess)
        {
            return logo.Error;
        }

        var now = clock.GetUtcNow();
        var stored = await store.FindLogoAsync(organizationId, ct).ConfigureAwait(false);
        if (stored is null)
        {
            stored = StoredLogo.For(organizationId, logo.Value, now);
            store.Add(stored);
        }
        else
        {
            stored.Replace(logo.Value, now);
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return stored;
    }

    /// <summary>The logo; any member may read it.</summary>
    public async Task<Result<StoredLogo>> GetLogoAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var view = await MemberViewAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!view.IsSuccess)
        {
            return view.Error;
        }

        var stored = await store.FindLogoAsync(organizationId, ct).ConfigureAwait(false);
        return stored is null ? OrganizationErrors.NoLogo : stored;
    }

    /// <summary>Removes the logo; the name shows again.</summary>
    public async Task<Result<Done>> DeleteLogoAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var organization = await ManagedAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        if (await store.FindLogoAsync(organizationId, ct).ConfigureAwait(false) is not { } stored)
        {
            return OrganizationErrors.NoLogo;
        }

        store.Remove(stored);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    /// <summary>
    /// Deletes the caller's own account (ACC-10) with its password: refused while any of its
    /// organizations would be left without a user or a legal representative, each reported.
    /// Memberships go with the account; organizations stay.
    /// </summary>
    public async Task<Result<Done>> DeleteAccountAsync(AuthenticatedUser user, string? currentPassword, CancellationToken ct = default)
    {
        var account = await accounts.LoadWithPasswordAsync(user, currentPassword, ct).ConfigureAwait(false);
        if (!account.IsSuccess)
        {
            return account.Error;
        }

        var organizations = await store.ListForAccountAsync(user.AccountId, ct).ConfigureAwait(false);
        var blocked = organizations
            .Select(o => (Organization: o, Blocker: o.DepartureBlocker(user.AccountId)))
            .Where(b => b.Blocker is not null)
            .Select(b => (b.Blocker!.Reason, $"organizations/{b.Organization.Id}", $"{b.Organization.Name}: {b.Blocker.Message}"))
            .ToList();
        if (blocked.Count > 0)
        {
            return new DomainError(ErrorKind.FailedPrecondition, "ACCOUNT_NOT_DELETABLE", "Deleting this account would leave an organization without a user or a legal representative.")
            {
                Preconditions = blocked,
            };
        }

        foreach (var organization in organizations)
        {
            organization.Leave(user.AccountId);
        }

        store.Remove(account.Value);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

    private async Task<Result<OrganizationView>> MemberViewAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId], ct).ConfigureAwait(false);
        var me = organization?.MemberOf(user.AccountId);
        if (organization is null || me is null)
        {
            return OrganizationErrors.NotFound;
        }

        return new OrganizationView(organization, me, await CurrentOrganizationAsync(user, ct).ConfigureAwait(false) == organizationId);
    }

    /// <summary>The caller's current organization (ORG-5), read afresh: it may have switched since its token was checked.</summary>
    private Task<Guid?> CurrentOrganizationAsync(AuthenticatedUser user, CancellationToken ct) =>
        accountStore.FindCurrentOrganizationAsync(user.AccountId, ct);

    private async Task<Result<Organization>> ManagedAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct)
    {
        var organization = await store.FindAsync(organizationId, [user.AccountId], ct).ConfigureAwait(false);
        if (organization is null)
        {
            return OrganizationErrors.NotFound;
        }

        var manager = organization.Manager(user.AccountId);
        return manager.IsSuccess ? organization : manager.Error;
    }

    private async Task<Result<(Organization Organization, Invitation Invitation)>> ManagedInvitationAsync(AuthenticatedUser user, Guid organizationId, Guid invitationId, CancellationToken ct)
    {
        var organization = await ManagedAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var invitation = await store.FindInvitationAsync(invitationId, ct).ConfigureAwait(false);
        if (invitation is null || invitation.OrganizationId != organizationId)
        {
            return InvitationErrors.NotFound;
        }

        return (organization.Value, invitation);
    }

    private Task ObserveAsync(Organization organization, Guid accountId, CancellationToken ct) =>
        membershipObserver?.RightsChangedAsync(organization, accountId, SignInContext.Unknown, ct) ?? Task.CompletedTask;

    private async Task ClearCurrentAsync(Guid accountId, Guid organizationId, CancellationToken ct)
    {
        if (await accountStore.FindAccountAsync(accountId, ct).ConfigureAwait(false) is { } account && account.CurrentOrganizationId == organizationId)
        {
            account.SwitchOrganization(null);
        }
    }

    private void QueueInvitationEmail(Organization organization, Invitation invitation, bool hasAccount, DateTimeOffset now)
    {
        var how = hasAccount
            ? "Sign in and accept it from your list of invitations."
            : $"Create an account with the login {invitation.Email} first, then accept it from your list of invitations.";
        var until = invitation.ExpiresAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        store.Add(OutboxMessage.Queue(
            random.NewId(),
            "organization-invitation",
            invitation.Email.Value,
            $"Invitation to join {organization.Name}",
            $"You are invited to join the organization {organization.Name} (invitation organizations/{organization.Id}/invitations/{invitation.Id}). {how} It expires on {until}.",
            now));
    }
}
