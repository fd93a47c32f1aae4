using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence.Stores;

/// <summary>The organizations store on EF Core; shares the request's context with <see cref="EfAccountStore"/>.</summary>
public sealed class EfOrganizationStore(HostingDbContext db) : IOrganizationStore
{
    /// <inheritdoc />
    public Task<Organization?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.Set<Organization>().FirstOrDefaultAsync(o => o.Id == id, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Organization>> ListForAccountAsync(Guid accountId, CancellationToken cancellationToken) =>
        await db.Set<Organization>().Where(o => o.Memberships.Any(m => m.AccountId == accountId)).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Product>> ListProductsAsync(Guid organizationId, CancellationToken cancellationToken) =>
        (await db.Set<Product>().Where(p => p.OrganizationId == organizationId).ToListAsync(cancellationToken))
            .OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToList();

    /// <inheritdoc />
    public Task<Invitation?> FindInvitationAsync(Guid id, CancellationToken cancellationToken) =>
        db.Set<Invitation>().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Invitation>> ListInvitationsAsync(Guid organizationId, CancellationToken cancellationToken) =>
        (await db.Set<Invitation>().Where(i => i.OrganizationId == organizationId).ToListAsync(cancellationToken))
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).ToList();

    /// <inheritdoc />
    public async Task<IReadOnlyList<Invitation>> ListInvitationsForAsync(EmailAddress email, CancellationToken cancellationToken) =>
        (await db.Set<Invitation>().Where(i => i.Email == email).ToListAsync(cancellationToken))
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).ToList();

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
    public void Add(object entity) => db.Add(entity);

    /// <inheritdoc />
    public void Remove(object entity) => db.Remove(entity);

    /// <inheritdoc />
    public Task SaveChangesAsync(CancellationToken cancellationToken) => db.SaveChangesMappedAsync(cancellationToken);
}
