namespace Hosting.Core.Wallets;

/// <summary>What a ledger transaction records.</summary>
public enum LedgerTransactionKind
{
    /// <summary>Money paid into a wallet through a payment method (WAL-1).</summary>
    TopUp = 1,
    /// <summary>A payment from a wallet (WAL-2).</summary>
    Payment = 2,
    /// <summary>A withdrawal paid out (WAL-3).</summary>
    WithdrawalExecuted = 3,
    /// <summary>Money given back by a credit note (BIL-5).</summary>
    Refund = 4,
}

/// <summary>The ledger accounts money moves between.</summary>
public static class LedgerAccounts
{
    /// <summary>The payment gateway's clearing account: money received, owed to the provider by the gateway.</summary>
    public const string GatewayClearing = "gateway-clearing";

    /// <summary>The provider's revenue.</summary>
    public const string Revenue = "revenue";

    /// <summary>Payouts on their way to customers' bank or PayPal accounts.</summary>
    public const string PayoutsInTransit = "payouts-in-transit";

    /// <summary>An organization's wallet.</summary>
    public static string Wallet(Guid walletId) => $"wallet:{walletId}";
}

/// <summary>One line of a ledger transaction: a signed amount on one account (credit positive for wallets).</summary>
public sealed class LedgerEntry
{
    private LedgerEntry(int line, string account, long amount)
    {
        Line = line;
        Account = account;
        Amount = amount;
    }

    /// <summary>The line's number within its transaction.</summary>
    public int Line { get; private set; }

    /// <summary>The ledger account.</summary>
    public string Account { get; private set; }

    /// <summary>Minor units; the lines of a transaction add up to zero.</summary>
    public long Amount { get; private set; }

    internal static LedgerEntry Of(int line, string account, long amount) => new(line, account, amount);
}

/// <summary>
/// A balanced, append-only movement of money between ledger accounts (WAL-4): its entries add up
/// to zero, and it is never changed once written.
/// </summary>
public sealed class LedgerTransaction
{
    private readonly List<LedgerEntry> _entries = [];

    private LedgerTransaction(Guid id, Guid walletId, LedgerTransactionKind kind, string currency, string reference, DateTimeOffset at)
    {
        Id = id;
        WalletId = walletId;
        Kind = kind;
        Currency = currency;
        Reference = reference;
        At = at;
    }

    /// <summary>The transaction's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The wallet it concerns.</summary>
    public Guid WalletId { get; private set; }

    /// <summary>What it records.</summary>
    public LedgerTransactionKind Kind { get; private set; }

    /// <summary>The currency of every entry.</summary>
    public string Currency { get; private set; }

    /// <summary>What it is for: a payment reference, a gateway reference, a withdrawal.</summary>
    public string Reference { get; private set; }

    /// <summary>When it was written.</summary>
    public DateTimeOffset At { get; private set; }

    /// <summary>The entries.</summary>
    public IReadOnlyList<LedgerEntry> Entries => _entries;

    /// <summary>The amount the wallet's account moved by (positive in, negative out).</summary>
    public long WalletAmount => _entries.Where(e => e.Account == LedgerAccounts.Wallet(WalletId)).Sum(e => e.Amount);

    /// <summary>A transfer of <paramref name="amount"/> from one account to another.</summary>
    internal static LedgerTransaction Transfer(Guid id, Guid walletId, LedgerTransactionKind kind, string currency, string reference, DateTimeOffset at, string from, string to, long amount)
    {
        var transaction = new LedgerTransaction(id, walletId, kind, currency, reference, at);
        transaction._entries.Add(LedgerEntry.Of(1, from, checked(-amount)));
        transaction._entries.Add(LedgerEntry.Of(2, to, amount));
        return transaction;
    }
}
