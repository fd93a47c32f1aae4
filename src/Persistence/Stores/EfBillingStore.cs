using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence.Stores;

/// <summary>The billing store on EF Core; shares the request's context with the other stores.</summary>
public sealed class EfBillingStore(HostingDbContext db) : IBillingStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<CataloguePrice>> PricesAsync(CancellationToken cancellationToken) =>
        await db.Set<CataloguePrice>().ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<BillingAddress>> AddressesAsync(Guid organizationId, CancellationToken cancellationToken) =>
        (await db.Set<BillingAddress>().Where(a => a.OrganizationId == organizationId).ToListAsync(cancellationToken)).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToList();

    /// <inheritdoc />
    public async Task<IReadOnlyList<FreeVoucher>> UnusedVouchersAsync(Guid organizationId, CancellationToken cancellationToken) =>
        (await db.Set<FreeVoucher>().Where(v => v.OrganizationId == organizationId && v.UsedOnInvoiceId == null).ToListAsync(cancellationToken)).OrderBy(v => v.GrantedAt).ThenBy(v => v.Id).ToList();

    /// <inheritdoc />
    public async Task<IReadOnlyList<FreeVoucher>> UnusedVouchersAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken)
    {
        var query = db.Set<FreeVoucher>().AsNoTracking().Where(v => v.OrganizationId == organizationId && v.UsedOnInvoiceId == null);
        query = query.After(after, v => v.GrantedAt, v => v.Id);

        return await query.OrderBy(v => v.GrantedAt).ThenBy(v => v.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<PromotionCode?> FindPromotionAsync(string code, CancellationToken cancellationToken) =>
        db.Set<PromotionCode>().FirstOrDefaultAsync(p => p.Code == code, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RedeemedAsync(Guid promotionCodeId, Guid organizationId, CancellationToken cancellationToken) =>
        db.Set<PromotionRedemption>().AnyAsync(r => r.PromotionCodeId == promotionCodeId && r.OrganizationId == organizationId, cancellationToken);

    /// <inheritdoc />
    public Task<long> TakeNumberAsync(int sequenceId, CancellationToken cancellationToken) => db.Work.TakeNumberAsync(sequenceId, cancellationToken);

    /// <inheritdoc />
    public void NumberOnCommit(int sequenceId, object document) => db.Work.NumberOnCommit(sequenceId, document);

    /// <inheritdoc />
    public async Task<IReadOnlyList<CreditNote>> CreditNotesOfInvoiceAsync(Guid invoiceId, CancellationToken cancellationToken) =>
        await db.Set<CreditNote>().Where(c => c.InvoiceId == invoiceId).ToListAsync(cancellationToken);

    /// <inheritdoc />
    /// <inheritdoc />
    public async Task<IReadOnlyList<CreditNote>> CreditNotesAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken)
    {
        var query = db.Set<CreditNote>().AsNoTracking().Where(c => c.OrganizationId == organizationId);
        query = query.After(after, c => c.IssuedAt, c => c.Id, descending: true);

        return await query.OrderByDescending(c => c.IssuedAt).ThenByDescending(c => c.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<Invoice?> FindInvoiceAsync(Guid id, CancellationToken cancellationToken) =>
        db.Set<Invoice>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Invoice>> InvoicesAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken, InvoiceState? state = null)
    {
        var query = db.Set<Invoice>().AsNoTracking().Where(i => i.OrganizationId == organizationId);
        if (state is { } only)
        {
            query = query.Where(i => i.State == only);
        }

        query = query.After(after, i => i.IssuedAt, i => i.Id, descending: true);

        return await query.OrderByDescending(i => i.IssuedAt).ThenByDescending(i => i.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Invoice>> UnpaidInvoicesAsync(Guid organizationId, CancellationToken cancellationToken) =>
        await db.Set<Invoice>().AsNoTracking().Where(i => i.OrganizationId == organizationId && i.State == InvoiceState.Unpaid)
            .OrderBy(i => i.DueAt).ThenBy(i => i.Id).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public Task<Invoice?> InvoiceForUpdateAsync(Guid id, CancellationToken cancellationToken) =>
        db.Set<Invoice>().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<FreeVoucher>> VouchersUsedOnAsync(Guid invoiceId, CancellationToken cancellationToken) =>
        await db.Set<FreeVoucher>().Where(v => v.UsedOnInvoiceId == invoiceId).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<(PromotionRedemption Redemption, PromotionCode Code)>> RedemptionsOfAsync(Guid invoiceId, CancellationToken cancellationToken)
    {
        var rows = await db.Set<PromotionRedemption>().Where(r => r.InvoiceId == invoiceId)
            .Join(db.Set<PromotionCode>(), r => r.PromotionCodeId, c => c.Id, (r, c) => new { r, c }).ToListAsync(cancellationToken);
        return rows.Select(x => (x.r, x.c)).ToList();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> AllSequenceNumbersAsync(CancellationToken cancellationToken) =>
        await db.Set<Invoice>().Select(i => i.SequenceNumber).OrderBy(n => n).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Product>> DueForAutoRenewalAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.Set<Product>().AsNoTracking().Where(p => p.AutoRenew && p.Status == ProductStatus.Active && p.RenewalDate <= now).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public Task<IdempotencyRecord?> FindIdempotencyAsync(string key, CancellationToken cancellationToken) =>
        CompiledQueries.For(db).Idempotency(db, key, cancellationToken);

    /// <inheritdoc />
    public void Add(object entity) => db.Add(entity);

    /// <inheritdoc />
    public void Remove(object entity) => db.Remove(entity);

    /// <inheritdoc />
    public void Reset() => db.Forget();

    /// <inheritdoc />
    public Task SaveChangesAsync(CancellationToken cancellationToken) => db.SaveChangesMappedAsync(cancellationToken);
}
