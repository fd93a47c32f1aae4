using Google.Protobuf.Collections;
using Grpc.Core;
using Hosting.Billing.V1;
using Hosting.Core.Billing;
using Hosting.Core.Shared;
using Hosting.GrpcHost.Callers;
using Hosting.GrpcHost.Errors;
using CoreProductType = Hosting.Core.Organizations.ProductType;

namespace Hosting.GrpcHost.Services;

/// <summary>The shop and the unpaid invoices' RPCs of the Billing service (ORD-1..ORD-4).</summary>
internal sealed partial class BillingGrpcService
{
    [UserCaller]
    public override async Task<ListCatalogueResponse> ListCatalogue(ListCatalogueRequest request, ServerCallContext context)
    {
        var type = (CoreProductType)request.ProductType;
        if (request.ProductType != 0 && !Enum.IsDefined(type))
        {
            throw Core.Organizations.OrganizationErrors.UnknownProductType.ForField("product_type").ToRpcException();
        }

        var response = new ListCatalogueResponse();
        foreach (var each in request.ProductType == 0 ? Enum.GetValues<CoreProductType>() : [type])
        {
            response.Offers.AddRange((await catalogue.OffersAsync(each, context.CancellationToken)).Select(o => new CatalogueOffer
            {
                ProductType = (int)o.Type,
                PeriodMonths = o.PeriodMonths,
                PriceMinor = o.PriceMinor,
                Currency = o.Currency,
                VatRateBasisPoints = o.VatRateBasisPoints,
            }));
        }

        return response;
    }

    [UserCaller]
    public override async Task<GetCartSummaryResponse> GetCartSummary(GetCartSummaryRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var summary = (await orders.SummarizeAsync(context.User(), id, CartOf(id, request.Lines, request.BillingAddress, request.PromotionCode), context.CancellationToken)).OrThrow();
        var quote = summary.Quote;
        var response = new GetCartSummaryResponse
        {
            SubtotalMinor = quote.SubtotalMinor,
            VatMinor = quote.VatMinor,
            TotalMinor = quote.TotalMinor,
            Currency = quote.Currency,
            PromotionCodeRefusal = summary.PromotionRefusal?.Reason ?? string.Empty,
            PromotionCodeRefusalMessage = summary.PromotionRefusal?.Message ?? string.Empty,
        };
        response.Lines.AddRange(quote.Lines.Select(l => ToProto(Guid.Empty, l, quote.VouchersOffered.Contains(l.ProductId))));
        response.BillingAddressLines.AddRange(summary.BillingAddress);
        return response;
    }

    [UserCaller]
    public override async Task<ConfirmOrderResponse> ConfirmOrder(ConfirmOrderRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var cart = CartOf(id, request.Lines, request.BillingAddress, request.PromotionCode);
        var placed = (await orders.ConfirmAsync(context.User(), id, cart, request.PaymentMethod, request.RequestId, context.CancellationToken)).OrThrow();
        var response = new ConfirmOrderResponse { Invoice = ToProto(placed.Invoice) };
        // The cart's order: the invoice lines follow the cart's lines, one product each.
        response.Products.AddRange(placed.Invoice.Lines.Select(l => ResourceNames.Product(id, l.ProductId)));
        return response;
    }

    [UserCaller]
    public override async Task<PayInvoiceResponse> PayInvoice(PayInvoiceRequest request, ServerCallContext context)
    {
        var (organizationId, invoiceId) = ResourceNames.ParseChild(request.Name, "invoices", "name").OrThrow();
        var invoice = (await unpaid.PayAsync(context.User(), organizationId, invoiceId, request.PaymentMethod, request.RequestId, context.CancellationToken)).OrThrow();
        return new PayInvoiceResponse { Invoice = ToProto(invoice) };
    }

    [UserCaller]
    public override async Task<CancelInvoiceResponse> CancelInvoice(CancelInvoiceRequest request, ServerCallContext context)
    {
        var (organizationId, invoiceId) = ResourceNames.ParseChild(request.Name, "invoices", "name").OrThrow();
        var cancelled = (await unpaid.CancelAsync(context.User(), organizationId, invoiceId, request.Reason, context.CancellationToken)).OrThrow();
        return new CancelInvoiceResponse { Invoice = ToProto(cancelled.Invoice), CreditNote = ToProto(cancelled.CreditNote) };
    }

    private static Cart CartOf(Guid organizationId, RepeatedField<Hosting.Billing.V1.CartLine> lines, string billingAddress, string promotionCode) => new(
        lines.Select(l => new Core.Billing.CartLine((CoreProductType)l.ProductType, l.DisplayName, l.PeriodMonths, l.UseVoucher)).ToList(),
        AddressId(organizationId, billingAddress),
        promotionCode);
}
