using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;

namespace Hosting.Core.Billing;

/// <summary>What a checkout pays for and how (BIL-6, BIL-8, BIL-9).</summary>
public sealed record CheckoutOrder(
    IReadOnlyList<Guid> ProductIds, Guid? BillingAddressId, string? PaymentMethod, string? PromotionCode, IReadOnlySet<Guid> ActivateVouchersFor, string? RequestId);

/// <summary>A product due, in "to pay" (BIL-3).</summary>
public sealed record ToPayItem(Product Product, CatalogueEntry Price);

/// <summary>"To pay" (BIL-3, ORD-4): one page of the products due, and the unpaid invoices (all of them, on the first page).</summary>
public sealed record ToPayPage(Page<ToPayItem> Products, IReadOnlyList<Invoice> UnpaidInvoices);

/// <summary>A pro forma invoice (BIL-4): a quote with its own non-legal number; nothing is stored.</summary>
public sealed record ProForma(string Number, Quote Quote, InvoiceDocument Document);

/// <summary>A billing address as offered for invoices: the main one (from contact details) or an added one.</summary>
public sealed record AddressView(Guid? Id, bool IsMain, IReadOnlyList<string> Lines, BillingAddress? Stored)
{
    /// <summary>Its keyset position: the main address first, then the added ones oldest first (API-4).</summary>
    public PageToken Position => Stored is { } s ? new PageToken(s.CreatedAt, s.Id) : new PageToken(DateTimeOffset.MinValue, Guid.Empty);
}

/// <summary>The editable fields of an added billing address, as an update sees them (BIL-1).</summary>
public sealed record AddressFields(string Recipient, string Street, string PostalCode, string City, string Country);

/// <summary>
/// The use cases of billing (BIL-1..BIL-10). Checkouts commit the payment, the final invoice with
/// its gapless number, the renewals, the voucher and promotion redemptions and the request id in
/// one transaction, retried from a fresh read when a concurrent checkout won a race.
/// </summary>
public sealed partial class BillingService(
    IBillingStore store,
    IOrganizationStore organizations,
    WalletService wallets,
    IPaymentGateway gateway,
    IProductCatalogue catalogue,
    TimeProvider clock,
    ISecretGenerator random,
    BillingOptions options)
{
    /// <summary>The payment method that debits the organization's wallet.</summary>
    public const string WalletMethod = PaymentCollector.WalletMethod;

    private readonly Pricing _pricing = new(store, clock);
    private readonly PaymentCollector _payments = new(wallets);
    private readonly IdempotentCommand _once = new(store, wallets.Charges, clock, options.MaxAttempts);

    internal static AddressView MainAddress(Organization organization)
    {
        var c = organization.Contact;
        return new AddressView(null, true, [organization.Name, c.Street, $"{c.PostalCode} {c.City}", c.Country], null);
    }

    /// <summary>The lines an invoice carries: the main address, or an added one of the organization (BIL-1).</summary>
    internal static async Task<Result<IReadOnlyList<string>>> AddressLinesAsync(IBillingStore store, Organization organization, Guid? addressId, CancellationToken ct)
    {
        if (addressId is null)
        {
            return Result<IReadOnlyList<string>>.Ok(MainAddress(organization).Lines);
        }

        var stored = (await store.AddressesAsync(organization.Id, ct).ConfigureAwait(false)).FirstOrDefault(a => a.Id == addressId);
        return stored is null ? BillingErrors.AddressNotFound : Result<IReadOnlyList<string>>.Ok(stored.Lines);
    }

    private Task<Result<Organization>> BillingOrganizationAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct) =>
        organizations.MemberWithRightAsync(user, organizationId, m => m.CanBill, WalletErrors.BillingRightsRequired, ct);
}

/// <summary>ORG-9's conditions from the wallet and from billing: unpaid invoices block deletion.</summary>
public sealed class BillingFinances(WalletFinances wallets, IBillingStore store) : IOrganizationFinances
{
    /// <inheritdoc />
    public async Task<FinancialStanding> StandingAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        var standing = await wallets.StandingAsync(organizationId, cancellationToken).ConfigureAwait(false);
        var paid = await store.InvoicesAsync(organizationId, null, int.MaxValue, cancellationToken, InvoiceState.Paid).ConfigureAwait(false);
        var unpaid = await store.UnpaidInvoicesAsync(organizationId, cancellationToken).ConfigureAwait(false);
        return standing with
        {
            UnpaidInvoices = unpaid.Count,
            UnpaidInvoiceNumbers = unpaid.Select(i => (i.Id, i.Number)).ToArray(),
            PaidInvoiceNumbers = paid.Select(i => i.Number).ToArray(),
        };
    }
}
