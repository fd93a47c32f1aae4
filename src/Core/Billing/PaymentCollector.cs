using Hosting.Core.Shared;
using Hosting.Core.Wallets;

namespace Hosting.Core.Billing;

/// <summary>
/// Takes an immediate payment for billing, the same way for checkouts, orders and unpaid invoices,
/// in two steps (WAL-7): <see cref="ChargeAsync"/> before the unit of work charges an external
/// method once, on its own record; <see cref="CollectAsync"/> inside the unit of work debits the
/// wallet or marks that charge delivered, in the same commit as what it pays for. A request that
/// cannot deliver calls <see cref="ReleaseAsync"/>, which gives an external charge back.
/// </summary>
public sealed class PaymentCollector(WalletService wallets)
{
    /// <summary>The payment method that debits the organization's wallet.</summary>
    public const string WalletMethod = "wallet";

    /// <summary>The deferred payment method: an unpaid invoice, paid later (ORD-3).</summary>
    public const string BankTransferMethod = "bank-transfer";

    private const string LedgerPrefix = "ledger:";

    /// <summary>The ledger transaction a wallet payment's reference names; null for a gateway charge or nothing paid.</summary>
    public static Guid? LedgerTransactionOf(string paymentReference) =>
        paymentReference.StartsWith(LedgerPrefix, StringComparison.Ordinal) && Guid.TryParse(paymentReference.AsSpan(LedgerPrefix.Length), out var id) ? id : null;

    /// <summary>Whether the method pays at once (the wallet or a method the gateway knows).</summary>
    public bool PaysAtOnce(string? method) => method == WalletMethod || wallets.Charges.Knows(method);

    /// <summary>Before the unit of work: charges an external method once under <paramref name="key"/>; nothing for the wallet or nothing to pay.</summary>
    public async Task<Result<Done>> ChargeAsync(Guid organizationId, string purpose, string? method, Money amount, string key, string fingerprint, CancellationToken ct)
    {
        if (amount.Minor == 0)
        {
            return Done.Value;
        }

        if (method == WalletMethod)
        {
            // A request id whose card charge is still open cannot switch to the wallet (WAL-6).
            return await wallets.Charges.RefusalAsync(key, ct).ConfigureAwait(false) is { } taken ? taken : Done.Value;
        }

        if (!wallets.Charges.Knows(method))
        {
            return BillingErrors.UnknownPaymentMethod;
        }

        var attempt = await wallets.Charges.ChargeAsync(key, fingerprint, organizationId, purpose, method!, amount, ct).ConfigureAwait(false);
        return attempt.IsSuccess ? Done.Value : attempt.Error;
    }

    /// <summary>A deferred payment (bank transfer) under a request id whose card charge is open is refused (WAL-6).</summary>
    public async Task<Result<Done>> DeferAsync(string key, CancellationToken ct) =>
        await wallets.Charges.RefusalAsync(key, ct).ConfigureAwait(false) is { } taken ? taken : Done.Value;

    /// <summary>Inside the unit of work: the payment's reference (a ledger transaction, a delivered gateway charge).</summary>
    /// <param name="organizationId">Whose wallet pays.</param>
    /// <param name="method">The wallet or a gateway method.</param>
    /// <param name="amount">What to collect.</param>
    /// <param name="ledgerReference">The ledger's reference of a wallet debit.</param>
    /// <param name="key">The request's key, under which an external charge was made.</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<Result<string>> CollectAsync(Guid organizationId, string? method, Money amount, string ledgerReference, string key, CancellationToken ct)
    {
        if (amount.Minor == 0)
        {
            return "nothing to pay";
        }

        if (method == WalletMethod)
        {
            var debit = await wallets.DebitInUnitOfWorkAsync(organizationId, amount, ledgerReference, ct).ConfigureAwait(false);
            return debit.IsSuccess ? LedgerPrefix + debit.Value.Id : debit.Error;
        }

        return await wallets.Charges.DeliverInUnitOfWorkAsync(key, ct).ConfigureAwait(false);
    }

    /// <summary>Refuses a request whose id another took first, giving back the charge it made under the id (WAL-6, WAL-7).</summary>
    public Task<DomainError> RefuseTakenIdAsync(string key, string fingerprint, CancellationToken ct) => wallets.Charges.RefuseTakenIdAsync(key, fingerprint, ct);

    /// <summary>After a failed delivery: gives back the external charge made under <paramref name="key"/>, if any; empties the unit of work.</summary>
    public Task ReleaseAsync(string key, CancellationToken ct) => wallets.Charges.ReleaseAsync(key, ct);
}
