using System.Globalization;
using Hosting.Core.Shared;

namespace Hosting.Core.Wallets;

/// <summary>The expected failures of wallets, one per rule, each with its stable reason.</summary>
public static class WalletErrors
{
    /// <summary>BIL-2: the wallet is for billing members.</summary>
    public static readonly DomainError BillingRightsRequired =
        new(ErrorKind.PermissionDenied, "BILLING_RIGHTS_REQUIRED", "Only members with billing rights may see the invoices, pay, order and use the wallet.");

    /// <summary>No wallet in that currency.</summary>
    public static readonly DomainError WalletNotFound =
        new(ErrorKind.NotFound, "WALLET_NOT_FOUND", "The organization has no wallet in this currency.");

    /// <summary>No such withdrawal.</summary>
    public static readonly DomainError WithdrawalNotFound =
        new(ErrorKind.NotFound, "WITHDRAWAL_NOT_FOUND", "No such withdrawal.");

    /// <summary>Executed or cancelled already.</summary>
    public static readonly DomainError WithdrawalClosed =
        new(ErrorKind.FailedPrecondition, "WITHDRAWAL_NOT_PENDING", "The withdrawal was executed or cancelled already.");

    /// <summary>WAL-5: the request id was used for another request.</summary>
    public static readonly DomainError RequestIdReused =
        DomainError.Invalid("request_id", "REQUEST_ID_REUSED", "This request id was used for a different request; use a new id.") with { Kind = ErrorKind.AlreadyExists };

    /// <summary>Another request under the id is still at work on its external charge: send this one again shortly (WAL-6).</summary>
    public static readonly DomainError RequestInProgress =
        DomainError.Invalid("request_id", "REQUEST_IN_PROGRESS", "Another request under this request id is still being handled; send this one again shortly.") with { Kind = ErrorKind.Aborted };

    /// <summary>WAL-5: a request id is required.</summary>
    public static readonly DomainError RequestIdInvalid =
        DomainError.Invalid("request_id", "INVALID_REQUEST_ID", "request_id is required: 1 to 64 letters, digits, dashes or underscores.");

    /// <summary>Amounts are positive.</summary>
    public static readonly DomainError AmountNotPositive =
        DomainError.Invalid("amount.minor", "INVALID_AMOUNT", "The amount must be positive.");

    /// <summary>BIL-6: the gateway refused.</summary>
    public static readonly DomainError PaymentDeclined =
        new(ErrorKind.FailedPrecondition, "PAYMENT_DECLINED", "The payment method was declined; nothing was charged.");

    /// <summary>The gateway did not answer in time; retry with the same request id.</summary>
    public static readonly DomainError GatewayTimeout =
        new(ErrorKind.Unavailable, "PAYMENT_GATEWAY_TIMEOUT", "The payment gateway did not answer; retry with the same request id.");

    /// <summary>WAL-7: what an external charge paid for could not be delivered, and the charge was given back.</summary>
    public static readonly DomainError PaymentRefunded =
        new(ErrorKind.FailedPrecondition, "PAYMENT_REFUNDED", "The payment could not be completed and was refunded; nothing was bought. Try again with a new request id.");

    /// <summary>WAL-7: a retry of a request came to another amount than the one charged; the charge is given back.</summary>
    public static readonly DomainError PaymentAmountChanged =
        new(ErrorKind.Aborted, "PAYMENT_AMOUNT_CHANGED", "The amount changed since this request was charged; the charge is refunded. Review the new amount and pay with a new request id.");

    /// <summary>An unknown payment method.</summary>
    public static readonly DomainError UnknownPaymentMethod =
        DomainError.Invalid("payment_method", "UNKNOWN_PAYMENT_METHOD", "This payment method is not known.");

    /// <summary>WAL-2: never below zero.</summary>
    public static DomainError InsufficientFunds(long available, string currency) =>
        new(ErrorKind.FailedPrecondition, "INSUFFICIENT_FUNDS", "The wallet's available balance does not cover this amount.")
        {
            Metadata = new Dictionary<string, string> { ["available_minor"] = available.ToString(CultureInfo.InvariantCulture), ["currency"] = currency },
            Preconditions = [("INSUFFICIENT_FUNDS", "wallet", "The available balance is lower than the amount.")],
        };

    /// <summary>WAL-1: outside a top-up limit; names the limit.</summary>
    public static DomainError TopUpLimit(string reason, string limit, long limitMinor, string currency) =>
        new(ErrorKind.FailedPrecondition, reason, $"The top-up is outside the {limit} limit of {limitMinor.ToString(CultureInfo.InvariantCulture)} minor units of {currency}.")
        {
            Metadata = new Dictionary<string, string> { ["limit"] = limit, ["limit_minor"] = limitMinor.ToString(CultureInfo.InvariantCulture), ["currency"] = currency },
            Preconditions = [(reason, "amount", $"The {limit} limit is {limitMinor.ToString(CultureInfo.InvariantCulture)} minor units.")],
        };
}
