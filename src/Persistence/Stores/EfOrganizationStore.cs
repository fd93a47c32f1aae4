using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence.Stores;

/// <summary>The organizations store on EF Core; shares the request's context with <see cref="EfAccountStore"/>.</summary>
public sealed class EfOrganizationStore(HostingDbContext db) : IOrganizationStore
{
    /// <inheritdoc />
    public async Task<Organization?> FindAsync(Guid id, IReadOnlyCollection<Guid> members, CancellationToken cancellationToken)
    {
        // The organization's row and the named members' rows, by primary key: never the member list.
        var ids = members.Distinct().ToList();
        var organization = ids.Count <= 1
            ? await CompiledQueries.For(db).OrganizationWithMember(db, id, ids.Count == 1 ? ids[0] : Guid.Empty, cancellationToken)
            : await db.Set<Organization>()
                .Include(o => o.Memberships.Where(m => ids.Contains(m.AccountId)))
                .FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null)
        {
            return null;
        }

        // A pending handover (ORG-8) changes the proposer's and the candidate's rows too.
        var proposal = new[] { organization.ProposedBy, organization.ProposedLegalRepresentative }
            .OfType<Guid>().Where(a => organization.MemberOf(a) is null).ToList();
        if (proposal.Count > 0)
        {
            await db.Set<Membership>().Where(m => m.OrganizationId == id && proposal.Contains(m.AccountId)).LoadAsync(cancellationToken);
        }

        return organization;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Organization>> ListForAccountAsync(Guid accountId, CancellationToken cancellationToken) =>
        await db.Set<Organization>()
            .Where(o => o.Memberships.Any(m => m.AccountId == accountId))
            .Include(o => o.Memberships.Where(m => m.AccountId == accountId))
            .ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Organization>> ListForAccountAsync(Guid accountId, PageToken? after, int max, CancellationToken cancellationToken)
    {
        // A seek on (AccountId, OrganizationCreatedAt, OrganizationId), then each organization by key.
        var memberships = db.Set<Membership>().Where(m => m.AccountId == accountId);
        memberships = memberships.After(after, m => m.OrganizationCreatedAt, m => m.OrganizationId);

        var rows = await memberships
            .Join(db.Set<Organization>(), m => m.OrganizationId, o => o.Id, (m, o) => new { Membership = m, Organization = o })
            .OrderBy(r => r.Membership.OrganizationCreatedAt).ThenBy(r => r.Membership.OrganizationId)
            .Take(max)
            .ToListAsync(cancellationToken);

        // Both are tracked, so the membership is in its organization's loaded memberships.
        return rows.Select(r => r.Organization).ToList();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Membership>> ListMembersAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken)
    {
        var query = db.Set<Membership>().AsNoTracking().Where(m => m.OrganizationId == organizationId);
        query = query.After(after, m => m.JoinedAt, m => m.AccountId);

        return await query.OrderBy(m => m.JoinedAt).ThenBy(m => m.AccountId).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> BillingMemberIdsAsync(Guid organizationId, CancellationToken cancellationToken) =>
        await db.Set<Membership>()
            .Where(m => m.OrganizationId == organizationId && (m.HasBillingRights || m.IsLegalRepresentative))
            .Select(m => m.AccountId)
            .ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<UserAccount>> AccountsCurrentlyInAsync(Guid organizationId, CancellationToken cancellationToken) =>
        await db.Set<UserAccount>().Where(a => a.CurrentOrganizationId == organizationId).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Product>> ListProductsAsync(Guid organizationId, CancellationToken cancellationToken) =>
        await db.Set<Product>().Where(p => p.OrganizationId == organizationId).OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlySet<Guid>> ProductIdsAmongAsync(Guid organizationId, IReadOnlyCollection<Guid> productIds, CancellationToken cancellationToken) =>
        productIds.Count == 0
            ? new HashSet<Guid>()
            : (await db.Set<Product>().Where(p => p.OrganizationId == organizationId && productIds.Contains(p.Id)).Select(p => p.Id).ToListAsync(cancellationToken)).ToHashSet();

    /// <inheritdoc />
    public async Task<IReadOnlyList<Product>> ListProductsAsync(Guid organizationId, IReadOnlyCollection<Guid>? only, PageToken? after, int max, CancellationToken cancellationToken)
    {
        var query = db.Set<Product>().Where(p => p.OrganizationId == organizationId);
        if (only is not null)
        {
            var ids = only.ToList();
            query = query.Where(p => ids.Contains(p.Id));
        }

        query = query.After(after, p => p.CreatedAt, p => p.Id);

        return await query.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Product>> ListDueProductsAsync(Guid organizationId, DateTimeOffset horizon, PageToken? after, int max, CancellationToken cancellationToken)
    {
        // Due as BillingService reads it, in two seeks on (OrganizationId, Status, RenewalDate, Id):
        // first the products awaiting their first payment (no renewal date yet: only activation
        // sets one; key MinValue, then id), then the active ones due by the horizon (key renewal
        // date, then id). One sort expression over both would make the store sort every due row.
        var rows = new List<Product>();
        if (after is null || after.Value.Time == DateTimeOffset.MinValue)
        {
            var awaiting = db.Set<Product>().Where(p => p.OrganizationId == organizationId
                && p.Status == ProductStatus.AwaitingPayment && p.RenewalDate == null && p.InvoiceId == null);
            if (after is { } a)
            {
                awaiting = awaiting.Where(p => p.Id.CompareTo(a.Id) > 0);
            }

            rows.AddRange(await awaiting.OrderBy(p => p.Id).Take(max).ToListAsync(cancellationToken));
            if (rows.Count >= max)
            {
                return rows;
            }

            after = null;
        }

        var active = db.Set<Product>().Where(p => p.OrganizationId == organizationId
            && p.Status == ProductStatus.Active && p.RenewalDate <= horizon);
        active = active.After(after, p => p.RenewalDate, p => p.Id);

        rows.AddRange(await active.OrderBy(p => p.RenewalDate).ThenBy(p => p.Id).Take(max - rows.Count).ToListAsync(cancellationToken));
        return rows;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Product>> ListInvoiceProductsAsync(Guid organizationId, Guid invoiceId, CancellationToken cancellationToken) =>
        // Read through the invoice's index alone, its few rows checked and ordered here: given the organization
        // and the order too, SQLite walks every product of the organization in its (OrganizationId, CreatedAt, Id) index.
        (await db.Set<Product>().Where(p => p.InvoiceId == invoiceId).ToListAsync(cancellationToken))
            .Where(p => p.OrganizationId == organizationId).OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToList();

    /// <inheritdoc />
    public Task<Product?> FindProductAsync(Guid organizationId, Guid productId, CancellationToken cancellationToken) =>
        db.Set<Product>().FirstOrDefaultAsync(p => p.Id == productId && p.OrganizationId == organizationId, cancellationToken);

    /// <inheritdoc />
    public Task<Invitation?> FindInvitationAsync(Guid id, CancellationToken cancellationToken) =>
        db.Set<Invitation>().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);

    /// <inheritdoc />
    public Task<bool> IsInvitationAcceptedAsync(Guid id, CancellationToken cancellationToken) =>
        db.Set<Invitation>().AsNoTracking().AnyAsync(i => i.Id == id && i.StoredState == InvitationState.Accepted, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Invitation>> ListInvitationsAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken)
    {
        var query = db.Set<Invitation>().Where(i => i.OrganizationId == organizationId);
        query = query.After(after, i => i.CreatedAt, i => i.Id);

        return await query.OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> HasPendingInvitationAsync(Guid organizationId, EmailAddress email, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Set<Invitation>().AnyAsync(
            i => i.Email == email && i.OrganizationId == organizationId && i.StoredState == InvitationState.Pending && i.ExpiresAt > now, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Invitation>> ListPendingInvitationsForAsync(EmailAddress email, DateTimeOffset now, PageToken? after, int max, CancellationToken cancellationToken)
    {
        // Pending as Invitation.StateAt reads it: stored pending and not yet expired.
        var query = db.Set<Invitation>().Where(i => i.Email == email && i.StoredState == InvitationState.Pending && i.ExpiresAt > now);
        query = query.After(after, i => i.CreatedAt, i => i.Id);

        return await query
            .Where(i => db.Set<Organization>().Any(o => o.Id == i.OrganizationId))
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(IEnumerable<Guid> organizationIds, CancellationToken cancellationToken)
    {
        var ids = organizationIds.ToList();
        var rows = await db.Set<Organization>().Where(o => ids.Contains(o.Id)).Select(o => new { o.Id, o.Name }).ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Id, r => r.Name);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<Guid, EmailAddress>> LoginsAsync(IEnumerable<Guid> accountIds, CancellationToken cancellationToken)
    {
        var ids = accountIds.ToList();
        var rows = await db.Set<UserAccount>().Where(a => ids.Contains(a.Id)).Select(a => new { a.Id, a.Login }).ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Id, r => r.Login);
    }

    /// <inheritdoc />
    public Task<StoredLogo?> FindLogoAsync(Guid organizationId, CancellationToken cancellationToken) =>
        db.Set<StoredLogo>().FirstOrDefaultAsync(l => l.OrganizationId == organizationId, cancellationToken);

    /// <inheritdoc />
    public Task<MailDomain?> FindMailDomainAsync(string domain, CancellationToken cancellationToken) =>
        db.Set<MailDomain>().FirstOrDefaultAsync(d => d.Domain == domain, cancellationToken);

    /// <inheritdoc />
    public Task LockAsync(Guid organizationId, CancellationToken cancellationToken) => db.Work.LockOrganizationAsync(organizationId, cancellationToken);

    /// <inheritdoc />
    public void Reset() => db.Forget();

    /// <inheritdoc />
    public void Add(object entity) => db.Add(entity);

    /// <inheritdoc />
    public void Remove(object entity) => db.Remove(entity);

    /// <inheritdoc />
    public Task SaveChangesAsync(CancellationToken cancellationToken) => db.SaveChangesMappedAsync(cancellationToken);
}
