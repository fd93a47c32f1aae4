using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Persistence.Stores;

/// <summary>The wallet store on EF Core; shares the request's context with the other stores.</summary>
public sealed class EfWalletStore(HostingDbContext db) : IWalletStore
{
    /// <inheritdoc />
    public Task<Wallet?> FindWalletAsync(Guid organizationId, string currency, CancellationToken cancellationToken) =>
        CompiledQueries.For(db).Wallet(db, organizationId, currency, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Wallet>> ListWalletsAsync(Guid organizationId, CancellationToken cancellationToken) =>
        await db.Set<Wallet>().Where(w => w.OrganizationId == organizationId).OrderBy(w => w.Currency).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<long> TopUpsSinceAsync(Guid walletId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var topUps = await db.Set<LedgerTransaction>().AsNoTracking()
            .Where(t => t.WalletId == walletId && t.Kind == LedgerTransactionKind.TopUp && t.At > since)
            .ToListAsync(cancellationToken);
        return topUps.Sum(t => t.WalletAmount);
    }

    /// <inheritdoc />
    public Task<LedgerTransaction?> FindTransactionAsync(Guid id, CancellationToken cancellationToken) =>
        db.Set<LedgerTransaction>().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<LedgerTransaction>> ListTransactionsAsync(Guid walletId, PageToken? after, int max, CancellationToken cancellationToken)
    {
        var query = db.Set<LedgerTransaction>().AsNoTracking().Where(t => t.WalletId == walletId);
        query = query.After(after, t => t.At, t => t.Id, descending: true);

        return await query.OrderByDescending(t => t.At).ThenByDescending(t => t.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<Withdrawal?> FindWithdrawalAsync(Guid id, CancellationToken cancellationToken) =>
        db.Set<Withdrawal>().FirstOrDefaultAsync(w => w.Id == id, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Withdrawal>> ListWithdrawalsAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken)
    {
        var query = db.Set<Withdrawal>().AsNoTracking().Where(w => w.OrganizationId == organizationId);
        query = query.After(after, w => w.RequestedAt, w => w.Id);

        return await query.OrderBy(w => w.RequestedAt).ThenBy(w => w.Id).Take(max).ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<Wallet?> FindWalletByIdAsync(Guid walletId, CancellationToken cancellationToken) =>
        db.Set<Wallet>().FirstOrDefaultAsync(w => w.Id == walletId, cancellationToken);

    /// <inheritdoc />
    public Task<IdempotencyRecord?> FindIdempotencyAsync(string key, CancellationToken cancellationToken) =>
        db.Set<IdempotencyRecord>().FirstOrDefaultAsync(r => r.Key == key, cancellationToken);

    /// <inheritdoc />
    public Task<ChargeAttempt?> FindChargeAttemptAsync(string key, CancellationToken cancellationToken) =>
        CompiledQueries.For(db).ChargeAttempt(db, key, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChargeAttempt>> UnsettledChargeAttemptsAsync(DateTimeOffset before, int max, CancellationToken cancellationToken) =>
        await db.Set<ChargeAttempt>().AsNoTracking()
            .Where(a => (a.State == ChargeAttemptState.Pending || a.State == ChargeAttemptState.Unknown || a.State == ChargeAttemptState.Charged || a.State == ChargeAttemptState.Refunding) && a.UpdatedAt < before)
            .OrderBy(a => a.UpdatedAt).Take(max).ToListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<(IReadOnlyList<Wallet> Wallets, IReadOnlyList<LedgerTransaction> Transactions, IReadOnlyList<Withdrawal> Withdrawals)> AuditSnapshotAsync(CancellationToken cancellationToken)
    {
        // One read transaction, so the three lists describe the same moment.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var wallets = await db.Set<Wallet>().AsNoTracking().ToListAsync(cancellationToken);
        var transactions = await db.Set<LedgerTransaction>().AsNoTracking().ToListAsync(cancellationToken);
        var withdrawals = await db.Set<Withdrawal>().AsNoTracking().ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (wallets, transactions, withdrawals);
    }

    /// <inheritdoc />
    public void Add(object entity) => db.Add(entity);

    /// <inheritdoc />
    public void Reset() => db.Forget();

    /// <inheritdoc />
    public Task SaveChangesAsync(CancellationToken cancellationToken) => db.SaveChangesMappedAsync(cancellationToken);
}
