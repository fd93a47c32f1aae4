using Hosting.Core.Shared;
using Hosting.Core.Wallets;

namespace Hosting.Core.Billing;

/// <summary>
/// Takes an immediate payment for billing, the same way for checkouts, orders and unpaid
/// invoices: the wallet's debit joins the caller's unit of work; a gateway charge carries the
/// request's idempotency key, so a retry never charges twice.
/// </summary>
public sealed class PaymentCollector(WalletService wallets, IPaymentGateway gateway)
{
    /// <summary>The payment method that debits the organization's wallet.</summary>
    public const string WalletMethod = "wallet";

    /// <summary>The deferred payment method: an unpaid invoice, paid later (ORD-3).</summary>
    public const string BankTransferMethod = "bank-transfer";

    /// <summary>Whether the method pays at once (the wallet or a method the gateway knows).</summary>
    public bool PaysAtOnce(string? method) => method == WalletMethod || (method is not null && gateway.Knows(method));

    /// <summary>Collects <paramref name="amount"/>; the reference names the ledger transaction or the gateway charge.</summary>
    /// <param name="organizationId">Whose wallet pays.</param>
    /// <param name="method">The wallet or a gateway method.</param>
    /// <param name="amount">What to collect.</param>
    /// <param name="ledgerReference">The ledger's reference of a wallet debit.</param>
    /// <param name="gatewayKey">The gateway's idempotency key.</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<Result<string>> CollectAsync(Guid organizationId, string? method, Money amount, string ledgerReference, string gatewayKey, CancellationToken ct)
    {
        if (amount.Minor == 0)
        {
            return "nothing to pay";
        }

        if (method == WalletMethod)
        {
            var debit = await wallets.DebitInUnitOfWorkAsync(organizationId, amount, ledgerReference, ct).ConfigureAwait(false);
            return debit.IsSuccess ? $"ledger:{debit.Value.Id}" : debit.Error;
        }

        if (method is null || !gateway.Knows(method))
        {
            return BillingErrors.UnknownPaymentMethod;
        }

        var charge = await gateway.ChargeAsync(method, amount, gatewayKey, ct).ConfigureAwait(false);
        return charge.Outcome switch
        {
            ChargeOutcome.TimedOut => WalletErrors.GatewayTimeout,
            ChargeOutcome.Declined => WalletErrors.PaymentDeclined,
            _ => $"gateway:{charge.Reference}",
        };
    }
}
