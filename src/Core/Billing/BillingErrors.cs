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

    /// <summary>WAL-7: the wallet pays only an invoice of the organization, named by its resource name.</summary>
    public static readonly DomainError InvalidWalletReference = DomainError.Invalid(
        "reference", "INVALID_REFERENCE", "reference names an invoice of this organization to pay, organizations/{organization_id}/invoices/{invoice_id}.");

    /// <summary>WAL-7: a payment from the wallet is the invoice's total, in its currency.</summary>
    public static DomainError AmountMismatch(long totalMinor, string currency) => DomainError.Invalid(
        "amount", "AMOUNT_MISMATCH", $"The amount must be the invoice's total, {totalMinor.ToString(System.Globalization.CultureInfo.InvariantCulture)} {currency} in minor units.");

    /// <summary>BIL-5: the invoice was paid already.</summary>
    public static readonly DomainError InvoiceAlreadyPaid = new(ErrorKind.FailedPrecondition, "INVOICE_ALREADY_PAID", "This invoice is paid already.");

    /// <summary>ORD-4: the invoice was cancelled by a credit note.</summary>
    public static readonly DomainError InvoiceCancelled = new(ErrorKind.FailedPrecondition, "INVOICE_CANCELLED", "This invoice was cancelled.");

    /// <summary>BIL-5: only a paid final invoice can be downloaded.</summary>
    public static readonly DomainError InvoiceNotPaid = new(ErrorKind.FailedPrecondition, "INVOICE_NOT_PAID", "A final invoice can be downloaded once it is paid.");

    /// <summary>ORD-3: a product ordered by bank transfer is paid through its invoice, never on its own.</summary>
    public static readonly DomainError ProductAwaitsInvoice = DomainError.Invalid("products", "PRODUCT_AWAITS_INVOICE", "This product is paid through its unpaid invoice in \"to pay\".") with { Kind = ErrorKind.FailedPrecondition };

    /// <summary>ORD-1: ordering needs an administrator or a legal representative.</summary>
    public static readonly DomainError OrderRightsRequired = new(ErrorKind.PermissionDenied, "ORDER_RIGHTS_REQUIRED", "Only an administrator or a legal representative may order products.");

    /// <summary>ORD-2: a cart has lines.</summary>
    public static readonly DomainError CartEmpty = DomainError.Invalid("lines", "CART_EMPTY", "An order has at least one line.");

    /// <summary>ORD-2: the catalogue does not offer this billing period for the product type.</summary>
    public static DomainError PeriodNotOffered(int index) => DomainError.Invalid($"lines[{index}].period_months", "BILLING_PERIOD_NOT_OFFERED", "The catalogue does not offer this billing period for this product type.");

    /// <summary>ORD-3: bank transfer pays orders only; an invoice is paid by an immediate method.</summary>
    public static readonly DomainError DeferredMethodNotAllowed = DomainError.Invalid("payment_method", "DEFERRED_PAYMENT_NOT_ALLOWED", "An unpaid invoice is paid with the wallet or a card; bank transfers are matched by support.");

    /// <summary>A payment method the checkout does not know.</summary>
    public static readonly DomainError UnknownPaymentMethod = DomainError.Invalid("payment_method", "UNKNOWN_PAYMENT_METHOD", "Pay with `wallet` or a payment method the gateway knows.");

    /// <summary>BIL-8: each refusal of a promotion code says why.</summary>
    public static DomainError Promotion(string reason, string description) => DomainError.Invalid("promotion_code", reason, description) with { Kind = ErrorKind.FailedPrecondition };
}
