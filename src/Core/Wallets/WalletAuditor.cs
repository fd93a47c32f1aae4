using System.Globalization;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Core.Wallets;

/// <summary>
/// Checks every invariant of the ledger (WAL-2, WAL-3, WAL-4): each transaction balances, each
/// wallet's balance equals the sum of its entries and its hold equals its pending withdrawals,
/// no wallet is negative, no withdrawal was executed twice.
/// </summary>
public sealed class WalletAuditor(IWalletStore store)
{
    /// <summary>Every violation found; empty when the ledger is sound.</summary>
    public async Task<IReadOnlyList<string>> AuditAsync(CancellationToken ct = default)
    {
        var (wallets, transactions, withdrawals) = await store.AuditSnapshotAsync(ct).ConfigureAwait(false);
        var violations = new List<string>();
        foreach (var transaction in transactions)
        {
            var sum = transaction.Entries.Sum(e => e.Amount);
            if (sum != 0 || transaction.Entries.Count < 2)
            {
                violations.Add($"transaction {transaction.Id} does not balance ({sum.ToString(CultureInfo.InvariantCulture)})");
            }
        }

        var entriesByAccount = transactions.SelectMany(t => t.Entries).GroupBy(e => e.Account).ToDictionary(g => g.Key, g => g.Sum(e => e.Amount));
        foreach (var wallet in wallets)
        {
            var ledger = entriesByAccount.GetValueOrDefault(LedgerAccounts.Wallet(wallet.Id));
            if (ledger != wallet.Balance)
            {
                violations.Add($"wallet {wallet.Id} balance {wallet.Balance.ToString(CultureInfo.InvariantCulture)} differs from its entries {ledger.ToString(CultureInfo.InvariantCulture)}");
            }

            if (wallet.Balance < 0 || wallet.Available < 0)
            {
                violations.Add($"wallet {wallet.Id} is negative");
            }

            var pending = withdrawals.Where(w => w.WalletId == wallet.Id && w.Status == WithdrawalStatus.Pending).Sum(w => w.Amount);
            if (pending != wallet.Held)
            {
                violations.Add($"wallet {wallet.Id} holds {wallet.Held.ToString(CultureInfo.InvariantCulture)} but its pending withdrawals total {pending.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        foreach (var executed in withdrawals.Where(w => w.Status == WithdrawalStatus.Executed))
        {
            var payouts = transactions.Count(t => t.Kind == LedgerTransactionKind.WithdrawalExecuted && t.Reference == $"withdrawal:{executed.Id}");
            if (payouts != 1)
            {
                violations.Add($"withdrawal {executed.Id} was paid out {payouts.ToString(CultureInfo.InvariantCulture)} times");
            }
        }

        return violations;
    }
}

/// <summary>ORG-9's wallet conditions, read from the wallets (billing fills the invoice part later).</summary>
public sealed class WalletFinances(IWalletStore store) : IOrganizationFinances
{
    /// <inheritdoc />
    public async Task<FinancialStanding> StandingAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        var wallets = await store.ListWalletsAsync(organizationId, cancellationToken).ConfigureAwait(false);
        return FinancialStanding.Clear with
        {
            WalletBalances = wallets.Select(w => Money.FromTrusted(w.Balance, w.Currency)).ToArray(),
            WithdrawalPending = wallets.Any(w => w.Held > 0),
        };
    }
}
