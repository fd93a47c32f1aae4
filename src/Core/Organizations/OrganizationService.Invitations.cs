using System.Globalization;
using Hosting.Core.Accounts;
using Hosting.Core.Notifications;
using Hosting.Core.Shared;

namespace Hosting.Core.Organizations;

/// <summary>Inviting to an organization, and the invitee's side of invitations (ORG-4).</summary>
public sealed partial class OrganizationService
{
    /// <summary>Invites an address (ORG-4); administrators and legal representatives only.</summary>
    public async Task<Result<Invitation>> InviteAsync(AuthenticatedUser user, Guid organizationId, string? email, MemberRights rights, CancellationToken ct = default)
    {
        var managed = await ManagedAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!managed.IsSuccess)
        {
            return managed.Error;
        }

        var organization = managed.Value;
        var address = EmailAddress.Parse(email, "email");
        if (!address.IsSuccess)
        {
            return address.Error;
        }

        var products = await store.ProductIdsAmongAsync(organizationId, rights.ProductIds, ct).ConfigureAwait(false);
        if (!rights.Administrator && rights.ProductIds.Any(p => !products.Contains(p)))
        {
            return OrganizationErrors.UnknownProductInRights;
        }

        var existing = await accountStore.FindAccountByLoginAsync(address.Value, ct).ConfigureAwait(false);
        if (existing is not null && await store.FindAsync(organizationId, [existing.Id], ct).ConfigureAwait(false) is { } withInvitee && withInvitee.MemberOf(existing.Id) is not null)
        {
            return OrganizationErrors.AlreadyMember;
        }

        // Checked and sent under the organization's lock: of two invitations of one address at once, the
        // second reads the first's (ORG-4).
        await store.LockAsync(organizationId, ct).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        if (await store.HasPendingInvitationAsync(organizationId, address.Value, now, ct).ConfigureAwait(false))
        {
            store.Reset();
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
        var products = await store.ProductIdsAmongAsync(organization.Id, invitation.Rights.ProductIds, ct).ConfigureAwait(false);
        var rights = invitation.Rights with { ProductIds = invitation.Rights.ProductIds.Where(products.Contains).ToArray() };
        var added = organization.AddMember(account.Id, rights, now);
        if (!added.IsSuccess)
        {
            // Read pending, yet the account is a member now: another accept of this invitation
            // committed in between, and in a serial order this one would have found it accepted.
            return added.Error.Reason == OrganizationErrors.AlreadyMember.Reason && await store.IsInvitationAcceptedAsync(invitation.Id, ct).ConfigureAwait(false)
                ? InvitationErrors.AlreadyAccepted
                : added.Error;
        }

        if (account.CurrentOrganizationId is null)
        {
            account.SwitchOrganization(organization.Id);
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return new OrganizationView(organization, organization.MemberOf(account.Id)!, account.CurrentOrganizationId == organization.Id);
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
