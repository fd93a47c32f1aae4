using Grpc.Core;
using Hosting.Billing.V1;
using Hosting.Wallets.V1;

namespace Hosting.Tests.Support;

/// <summary>Unpaid invoices through the API: what PayFromWallet pays (WAL-7).</summary>
public static class Shop
{
    /// <summary>The product type ordered by default: a domain name (<c>ProductType.DomainName</c>).</summary>
    public const int DomainName = 1;

    /// <summary>Orders one product by bank transfer; the order's unpaid invoice, its products pending.</summary>
    public static async Task<ConfirmOrderResponse> OrderByBankTransferAsync(ChannelBase channel, string organization, Metadata owner, string requestId, int productType = DomainName)
    {
        var name = productType == DomainName ? $"shop-{Guid.NewGuid():N}.ch" : $"www.shop-{Guid.NewGuid():N}.ch";
        return await new BillingService.BillingServiceClient(channel).ConfirmOrderAsync(new ConfirmOrderRequest
        {
            Parent = organization,
            Lines = { new CartLine { ProductType = productType, DisplayName = name, PeriodMonths = 12 } },
            PaymentMethod = "bank-transfer",
            RequestId = requestId,
        }, owner);
    }

    /// <summary>An unpaid invoice of the organization, from a bank-transfer order.</summary>
    public static async Task<Invoice> UnpaidInvoiceAsync(ChannelBase channel, string organization, Metadata owner, string requestId, int productType = DomainName) =>
        (await OrderByBankTransferAsync(channel, organization, owner, requestId, productType)).Invoice;

    /// <summary>Pays <paramref name="invoice"/> from its organization's wallet with its total.</summary>
    public static PayFromWalletRequest PayFromWallet(Invoice invoice, string requestId) => new()
    {
        Parent = string.Join('/', invoice.Name.Split('/').Take(2)),
        Amount = new Hosting.Wallets.V1.Money { Minor = invoice.TotalMinor, Currency = invoice.Currency },
        Reference = invoice.Name,
        RequestId = requestId,
    };
}
