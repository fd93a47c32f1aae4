using Hosting.Core.Shared;

namespace Hosting.Core.Wallets;

/// <summary>Where a withdrawal is (WAL-3).</summary>
public enum WithdrawalStatus
{
    /// <summary>Requested; its amount is held and not spendable.</summary>
    Pending = 1,
    /// <summary>Paid out; the ledger records it.</summary>
    Executed = 2,
    /// <summary>Cancelled; the hold is released.</summary>
    Cancelled = 3,
}

/// <summary>A request to pay part or all of a wallet's available balance out (WAL-3).</summary>
public sealed class Withdrawal
{
    private Withdrawal(Guid id, Guid walletId, Guid organizationId, long amount, PayoutKind destinationKind, string destination, DateTimeOffset requestedAt)
    {
        Id = id;
        WalletId = walletId;
        OrganizationId = organizationId;
        Amount = amount;
        DestinationKind = destinationKind;
        Destination = destination;
        RequestedAt = requestedAt;
    }

    /// <summary>The withdrawal's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The wallet paid from.</summary>
    public Guid WalletId { get; private set; }

    /// <summary>The wallet's organization, kept on the row so that its withdrawals page on one index (API-4).</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>Minor units, in the wallet's currency.</summary>
    public long Amount { get; private set; }

    /// <summary>Bank account or PayPal.</summary>
    public PayoutKind DestinationKind { get; private set; }

    /// <summary>The IBAN or the PayPal address.</summary>
    public string Destination { get; private set; }

    /// <summary>Where it is.</summary>
    public WithdrawalStatus Status { get; private set; } = WithdrawalStatus.Pending;

    /// <summary>When it was asked for.</summary>
    public DateTimeOffset RequestedAt { get; private set; }

    /// <summary>When it was executed or cancelled.</summary>
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>The ledger transaction of its execution.</summary>
    public Guid? TransactionId { get; private set; }

    /// <summary>Optimistic concurrency token: a withdrawal is executed at most once.</summary>
    public int Version { get; private set; }

    internal static Withdrawal Request(Guid id, Guid walletId, Guid organizationId, long amount, PayoutDestination destination, DateTimeOffset now) =>
        new(id, walletId, organizationId, amount, destination.Kind, destination.Value, now);

    internal Result<Done> MarkExecuted(Guid transactionId, DateTimeOffset now)
    {
        if (Status != WithdrawalStatus.Pending)
        {
            return WalletErrors.WithdrawalClosed;
        }

        Status = WithdrawalStatus.Executed;
        TransactionId = transactionId;
        ClosedAt = now;
        Version++;
        return Done.Value;
    }

    internal Result<Done> MarkCancelled(DateTimeOffset now)
    {
        if (Status != WithdrawalStatus.Pending)
        {
            return WalletErrors.WithdrawalClosed;
        }

        Status = WithdrawalStatus.Cancelled;
        ClosedAt = now;
        Version++;
        return Done.Value;
    }
}
