using Hosting.Core.Shared;

namespace Hosting.Core.Billing;

/// <summary>The expected failures of billing, one per rule, each with its stable reason.</summary>
public static class BillingErrors
{
    /// <summary>Nothing selected.</summary>
    public static readonly DomainError ItemsRequired = DomainError.Invalid("product_ids", "ITEMS_REQUIRED", "Select at least one item to pay.");

    /// <summary>BIL-10: one currency per payment.</summary>
    public static readonly DomainError CurrencyMismatch = DomainError.Invalid("product_ids", "CURRENCY_MISMATCH", "The selected items are priced in different currencies; pay them separately.");

    /// <summary>BIL-1.</summary>
    public static readonly DomainError AddressNotFound = new(ErrorKind.NotFound, "BILLING_ADDRESS_NOT_FOUND", "No such billing address in this organization.");

    /// <summary>API-4: the billing address changed since the caller read it.</summary>
    public static readonly DomainError AddressETagMismatch =
        new(ErrorKind.Aborted, "ETAG_MISMATCH", "The billing address changed since it was read; read it again.");

    /// <summary>BIL-9: no voucher of that type for this organization.</summary>
    public static readonly DomainError VoucherNotAvailable = DomainError.Invalid("activate_vouchers_for", "VOUCHER_NOT_AVAILABLE", "The organization has no free voucher for this product.");

    /// <summary>No such invoice among the organization's.</summary>
    public static readonly DomainError InvoiceNotFound = new(ErrorKind.NotFound, "INVOICE_NOT_FOUND", "No such invoice.");

    /// <summary>A payment method the checkout does not know.</summary>
    public static readonly DomainError UnknownPaymentMethod = DomainError.Invalid("payment_method", "UNKNOWN_PAYMENT_METHOD", "Pay with `wallet` or a payment method the gateway knows.");

    /// <summary>BIL-8: each refusal of a promotion code says why.</summary>
    public static DomainError Promotion(string reason, string description) => DomainError.Invalid("promotion_code", reason, description) with { Kind = ErrorKind.FailedPrecondition };
}
