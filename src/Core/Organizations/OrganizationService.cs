using Hosting.Core.Accounts;
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
public sealed partial class OrganizationService(
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
}
