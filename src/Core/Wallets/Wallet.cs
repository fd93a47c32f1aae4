using Hosting.Core.Shared;

namespace Hosting.Core.Wallets;

/// <summary>
/// An organization's prepaid account in one currency. It owns its ledger movements: every change
/// of <see cref="Balance"/> is a balanced <see cref="LedgerTransaction"/> written in the same
/// commit (WAL-4), and <see cref="Version"/> makes concurrent changes retry instead of both
/// spending the same money (WAL-2).
/// </summary>
public sealed class Wallet
{
    private Wallet(Guid id, Guid organizationId, string currency, DateTimeOffset createdAt)
    {
        Id = id;
        OrganizationId = organizationId;
        Currency = currency;
        CreatedAt = createdAt;
    }

    /// <summary>The wallet's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The organization owning it.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>ISO 4217 currency of every amount.</summary>
    public string Currency { get; private set; }

    /// <summary>Minor units held: the sum of the wallet account's ledger entries.</summary>
    public long Balance { get; private set; }

    /// <summary>Minor units held for pending withdrawals; not spendable.</summary>
    public long Held { get; private set; }

    /// <summary>What can be spent or withdrawn.</summary>
    public long Available => Balance - Held;

    /// <summary>When it was opened.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Optimistic concurrency token.</summary>
    public int Version { get; private set; }

    /// <summary>Opens an empty wallet.</summary>
    public static Wallet Open(Guid id, Guid organizationId, string currency, DateTimeOffset now) => new(id, organizationId, currency, now);

    /// <summary>Credits money received through the gateway (WAL-1).</summary>
    public LedgerTransaction TopUp(Guid transactionId, long amount, string reference, DateTimeOffset now)
    {
        EnsurePositive(amount);
        Balance = checked(Balance + amount);
        Version++;
        return LedgerTransaction.Transfer(transactionId, Id, LedgerTransactionKind.TopUp, Currency, reference, now, LedgerAccounts.GatewayClearing, LedgerAccounts.Wallet(Id), amount);
    }

    /// <summary>Gives money back from revenue, for a credit note.</summary>
    public LedgerTransaction Refund(Guid transactionId, long amount, string reference, DateTimeOffset now)
    {
        EnsurePositive(amount);
        Balance = checked(Balance + amount);
        Version++;
        return LedgerTransaction.Transfer(transactionId, Id, LedgerTransactionKind.Refund, Currency, reference, now, LedgerAccounts.Revenue, LedgerAccounts.Wallet(Id), amount);
    }

    /// <summary>Pays from the available balance, never below zero (WAL-2).</summary>
    public Result<LedgerTransaction> Pay(Guid transactionId, long amount, string reference, DateTimeOffset now)
    {
        EnsurePositive(amount);
        if (amount > Available)
        {
            return WalletErrors.InsufficientFunds(Available, Currency);
        }

        Balance -= amount;
        Version++;
        return LedgerTransaction.Transfer(transactionId, Id, LedgerTransactionKind.Payment, Currency, reference, now, LedgerAccounts.Wallet(Id), LedgerAccounts.Revenue, amount);
    }

    /// <summary>Holds part or all of the available balance for a payout (WAL-3).</summary>
    public Result<Withdrawal> RequestWithdrawal(Guid withdrawalId, long amount, PayoutDestination destination, DateTimeOffset now)
    {
        EnsurePositive(amount);
        if (amount > Available)
        {
            return WalletErrors.InsufficientFunds(Available, Currency);
        }

        Held += amount;
        Version++;
        return Withdrawal.Request(withdrawalId, Id, OrganizationId, amount, destination, now);
    }

    /// <summary>Pays a pending withdrawal out: the hold and the balance drop together.</summary>
    public Result<LedgerTransaction> ExecuteWithdrawal(Withdrawal withdrawal, Guid transactionId, DateTimeOffset now)
    {
        if (withdrawal.WalletId != Id)
        {
            throw new InvalidOperationException("The withdrawal belongs to another wallet.");
        }

        var executed = withdrawal.MarkExecuted(transactionId, now);
        if (!executed.IsSuccess)
        {
            return executed.Error;
        }

        Held -= withdrawal.Amount;
        Balance -= withdrawal.Amount;
        Version++;
        return LedgerTransaction.Transfer(transactionId, Id, LedgerTransactionKind.WithdrawalExecuted, Currency, $"withdrawal:{withdrawal.Id}", now, LedgerAccounts.Wallet(Id), LedgerAccounts.PayoutsInTransit, withdrawal.Amount);
    }

    /// <summary>Cancels a pending withdrawal and releases its hold.</summary>
    public Result<Done> CancelWithdrawal(Withdrawal withdrawal, DateTimeOffset now)
    {
        var cancelled = withdrawal.MarkCancelled(now);
        if (!cancelled.IsSuccess)
        {
            return cancelled;
        }

        Held -= withdrawal.Amount;
        Version++;
        return Done.Value;
    }

    private static void EnsurePositive(long amount)
    {
        if (amount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), "Amounts are validated as positive before they reach the wallet.");
        }
    }
}
