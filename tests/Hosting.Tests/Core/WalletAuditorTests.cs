using System.Reflection;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;

namespace Hosting.Tests.Core;

/// <summary>
/// The auditor against stores that break the ledger's invariants (WAL-4): every other test checks it
/// finds nothing in a sound store, so only these show it finds each kind of break.
/// </summary>
public sealed class WalletAuditorTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly PayoutDestination Bank = PayoutDestination.Iban("CH93 0076 2011 6238 5295 7", "iban").Value;

    private static Task<IReadOnlyList<string>> AuditAsync(IEnumerable<Wallet> wallets, IEnumerable<LedgerTransaction> transactions, IEnumerable<Withdrawal>? withdrawals = null) =>
        new WalletAuditor(new SnapshotStore([.. wallets], [.. transactions], [.. withdrawals ?? []])).AuditAsync();

    private static List<LedgerEntry> EntriesOf(LedgerTransaction transaction) =>
        (List<LedgerEntry>)typeof(LedgerTransaction).GetField("_entries", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(transaction)!;

    [Fact]
    [Trait("Rule", "WAL-4")]
    public async Task ASoundLedger_HasNoViolation()
    {
        var wallet = Wallet.Open(Guid.NewGuid(), Guid.NewGuid(), "CHF", Now);
        var topUp = wallet.TopUp(Guid.NewGuid(), 5_000, "gw-1", Now);
        var withdrawal = wallet.RequestWithdrawal(Guid.NewGuid(), 1_000, Bank, Now).Value;
        var payout = wallet.ExecuteWithdrawal(withdrawal, Guid.NewGuid(), Now).Value;
        var pending = wallet.RequestWithdrawal(Guid.NewGuid(), 500, Bank, Now).Value;
        var empty = Wallet.Open(Guid.NewGuid(), Guid.NewGuid(), "CHF", Now);

        Assert.Empty(await AuditAsync([wallet, empty], [topUp, payout], [withdrawal, pending]));
    }

    [Fact]
    [Trait("Rule", "WAL-4")]
    public async Task ATransactionWhoseEntriesDoNotAddUpToZero_OrThatHasOneEntry_IsReported()
    {
        var wallet = Wallet.Open(Guid.NewGuid(), Guid.NewGuid(), "CHF", Now);
        var unbalanced = wallet.TopUp(Guid.NewGuid(), 5_000, "gw-1", Now);
        EntriesOf(unbalanced).Add(LedgerEntry.Of(3, LedgerAccounts.Revenue, 7));
        var single = Wallet.Open(Guid.NewGuid(), Guid.NewGuid(), "CHF", Now).TopUp(Guid.NewGuid(), 1_000, "gw-2", Now);
        EntriesOf(single).Clear();
        EntriesOf(single).Add(LedgerEntry.Of(1, LedgerAccounts.Revenue, 0));

        var violations = await AuditAsync([], [unbalanced, single]);

        Assert.Equal([$"transaction {unbalanced.Id} does not balance (7)", $"transaction {single.Id} does not balance (0)"], violations);
    }

    [Fact]
    [Trait("Rule", "WAL-4")]
    public async Task ABalanceThatDiffersFromItsEntries_IsReported()
    {
        var wallet = Wallet.Open(Guid.NewGuid(), Guid.NewGuid(), "CHF", Now);
        wallet.TopUp(Guid.NewGuid(), 5_000, "gw-1", Now);
        var kept = wallet.TopUp(Guid.NewGuid(), 2_000, "gw-2", Now);

        var violations = await AuditAsync([wallet], [kept]);

        Assert.Equal([$"wallet {wallet.Id} balance 7000 differs from its entries 2000"], violations);
    }

    [Fact]
    [Trait("Rule", "WAL-2")]
    public async Task AWalletHoldingMoreThanItsBalance_IsReportedNegative()
    {
        var wallet = Wallet.Open(Guid.NewGuid(), Guid.NewGuid(), "CHF", Now);
        var topUp = wallet.TopUp(Guid.NewGuid(), 1_000, "gw-1", Now);
        var withdrawal = wallet.RequestWithdrawal(Guid.NewGuid(), 1_000, Bank, Now).Value;
        typeof(Wallet).GetProperty(nameof(Wallet.Balance))!.SetValue(wallet, 400L);
        EntriesOf(topUp)[0] = LedgerEntry.Of(1, LedgerAccounts.GatewayClearing, -400);
        EntriesOf(topUp)[1] = LedgerEntry.Of(2, LedgerAccounts.Wallet(wallet.Id), 400);

        var violations = await AuditAsync([wallet], [topUp], [withdrawal]);

        Assert.Equal([$"wallet {wallet.Id} is negative"], violations);
    }

    [Fact]
    [Trait("Rule", "WAL-4")]
    [Trait("Rule", "WAL-3")]
    public async Task AHoldThatDiffersFromThePendingWithdrawals_AndAPayoutMissingOrTwice_AreReported()
    {
        var wallet = Wallet.Open(Guid.NewGuid(), Guid.NewGuid(), "CHF", Now);
        var topUp = wallet.TopUp(Guid.NewGuid(), 5_000, "gw-1", Now);
        var executed = wallet.RequestWithdrawal(Guid.NewGuid(), 1_000, Bank, Now).Value;
        var payout = wallet.ExecuteWithdrawal(executed, Guid.NewGuid(), Now).Value;
        var unpaid = wallet.RequestWithdrawal(Guid.NewGuid(), 300, Bank, Now).Value;
        wallet.ExecuteWithdrawal(unpaid, Guid.NewGuid(), Now);
        wallet.RequestWithdrawal(Guid.NewGuid(), 200, Bank, Now);

        // The 200 pending is left out of the snapshot; the 300 payout is missing; the 1000 one is there twice.
        var violations = await AuditAsync([wallet], [topUp, payout, payout], [executed, unpaid]);

        Assert.Contains($"wallet {wallet.Id} holds 200 but its pending withdrawals total 0", violations);
        Assert.Contains($"withdrawal {unpaid.Id} was paid out 0 times", violations);
        Assert.Contains($"withdrawal {executed.Id} was paid out 2 times", violations);
    }

    /// <summary>A store that only answers the audit's snapshot, as a damaged database would.</summary>
    private sealed class SnapshotStore(IReadOnlyList<Wallet> wallets, IReadOnlyList<LedgerTransaction> transactions, IReadOnlyList<Withdrawal> withdrawals) : IWalletStore
    {
        public Task<(IReadOnlyList<Wallet> Wallets, IReadOnlyList<LedgerTransaction> Transactions, IReadOnlyList<Withdrawal> Withdrawals)> AuditSnapshotAsync(CancellationToken cancellationToken) =>
            Task.FromResult((wallets, transactions, withdrawals));

        public Task<Wallet?> FindWalletAsync(Guid organizationId, string currency, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<Wallet>> ListWalletsAsync(Guid organizationId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> TopUpsSinceAsync(Guid walletId, DateTimeOffset since, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<LedgerTransaction?> FindTransactionAsync(Guid id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<LedgerTransaction>> ListTransactionsAsync(Guid walletId, PageToken? after, int max, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Withdrawal?> FindWithdrawalAsync(Guid id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<Withdrawal>> ListWithdrawalsAsync(Guid organizationId, PageToken? after, int max, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Wallet?> FindWalletByIdAsync(Guid walletId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IdempotencyRecord?> FindIdempotencyAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ChargeAttempt?> FindChargeAttemptAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ChargeAttempt>> UnsettledChargeAttemptsAsync(DateTimeOffset before, int max, CancellationToken cancellationToken) => throw new NotSupportedException();

        public void Add(object entity) => throw new NotSupportedException();

        public void Reset() => throw new NotSupportedException();

        public Task SaveChangesAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
