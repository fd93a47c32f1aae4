using Hosting.Core.Shared;

namespace Hosting.Core.Wallets;

/// <summary>What the wallet domain needs from a store; shares the unit of work of the other stores.</summary>
public interface IWalletStore : IRequestRecords
{
    /// <summary>The organization's wallet in a currency, if opened.</summary>
    Task<Wallet?> FindWalletAsync(Guid organizationId, string currency, CancellationToken cancellationToken);

    /// <summary>The organization's wallets.</summary>
    Task<IReadOnlyList<Wallet>> ListWalletsAsync(Guid organizationId, CancellationToken cancellationToken);

    /// <summary>The sum of top-ups into a wallet since <paramref name="since"/>.</summary>
    Task<long> TopUpsSinceAsync(Guid walletId, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>A ledger transaction with its entries.</summary>
    Task<LedgerTransaction?> FindTransactionAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>A wallet's transactions, newest first, after the keyset position.</summary>
    Task<IReadOnlyList<LedgerTransaction>> ListTransactionsAsync(Guid walletId, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>A withdrawal.</summary>
    Task<Withdrawal?> FindWithdrawalAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> withdrawals from the organization's wallets, oldest first, after a keyset position (API-4).</summary>
    Task<IReadOnlyList<Withdrawal>> ListWithdrawalsAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>The wallet with this id.</summary>
    Task<Wallet?> FindWalletByIdAsync(Guid walletId, CancellationToken cancellationToken);

    /// <summary>Everything the auditor checks.</summary>
    Task<(IReadOnlyList<Wallet> Wallets, IReadOnlyList<LedgerTransaction> Transactions, IReadOnlyList<Withdrawal> Withdrawals)> AuditSnapshotAsync(CancellationToken cancellationToken);

    /// <summary>The charge attempt of a request key, tracked (WAL-7).</summary>
    Task<ChargeAttempt?> FindChargeAttemptAsync(string key, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> attempts not settled since before <paramref name="before"/>, oldest first.</summary>
    Task<IReadOnlyList<ChargeAttempt>> UnsettledChargeAttemptsAsync(DateTimeOffset before, int max, CancellationToken cancellationToken);

}

/// <summary>Wallet limits (WAL-1), in minor units of the wallet's currency.</summary>
public sealed record WalletOptions
{
    /// <summary>Smallest top-up.</summary>
    public long MinimumTopUp { get; init; } = 1_000;

    /// <summary>Largest top-up.</summary>
    public long MaximumTopUp { get; init; } = 500_000;

    /// <summary>Most that may be topped up per <see cref="Period"/>.</summary>
    public long PeriodLimit { get; init; } = 1_000_000;

    /// <summary>The rolling period of <see cref="PeriodLimit"/>.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Attempts of a money movement that loses optimistic concurrency races.</summary>
    public int MaxAttempts { get; init; } = 50;
}
