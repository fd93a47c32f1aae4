using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hosting.Billing.V1;
using Hosting.Core.Billing;
using Hosting.Core.Shared;
using Hosting.GrpcHost.Callers;
using Hosting.GrpcHost.Errors;
using CoreAddress = Hosting.Core.Billing.BillingAddress;
using CoreInvoice = Hosting.Core.Billing.Invoice;
using CoreLine = Hosting.Core.Billing.InvoiceLine;
using CoreProductType = Hosting.Core.Organizations.ProductType;

namespace Hosting.GrpcHost.Services;

/// <summary>The Billing gRPC service: maps requests to <see cref="Core.Billing.BillingService"/> and back.</summary>
internal sealed partial class BillingGrpcService(
    Core.Billing.BillingService billing, OrderService orders, UnpaidInvoiceService unpaid, Core.Organizations.IProductCatalogue catalogue, TimeProvider clock)
    : Hosting.Billing.V1.BillingService.BillingServiceBase
{
    [UserCaller]
    public override async Task<ListBillingAddressesResponse> ListBillingAddresses(ListBillingAddressesRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var page = (await billing.ListAddressesAsync(context.User(), id, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListBillingAddressesResponse { NextPageToken = page.NextPageToken };
        response.BillingAddresses.AddRange(page.Items.Select(a => ToProto(id, a)));
        return response;
    }

    [UserCaller]
    public override async Task<CreateBillingAddressResponse> CreateBillingAddress(CreateBillingAddressRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var a = request.BillingAddress ?? new Hosting.Billing.V1.BillingAddress();
        var added = (await billing.AddAddressAsync(context.User(), id, a.Recipient, a.Street, a.PostalCode, a.City, a.Country, context.CancellationToken)).OrThrow();
        return new CreateBillingAddressResponse { BillingAddress = ToProto(id, new AddressView(added.Id, false, added.Lines, added)) };
    }

    [UserCaller]
    public override async Task<UpdateBillingAddressResponse> UpdateBillingAddress(UpdateBillingAddressRequest request, ServerCallContext context)
    {
        var a = request.BillingAddress ?? new Hosting.Billing.V1.BillingAddress();
        var (organizationId, addressId) = ResourceNames.ParseChild(a.Name, "billingAddresses", "billing_address.name").OrThrow();
        if (request.UpdateMask is null || request.UpdateMask.Paths.Count == 0)
        {
            throw DomainError.Invalid("update_mask", "UPDATE_MASK_REQUIRED", "update_mask must name the fields to change.").ToRpcException();
        }

        var paths = request.UpdateMask.Paths.ToHashSet(StringComparer.Ordinal);
        if (paths.FirstOrDefault(p => !AddressPaths.Contains(p)) is { } unknown)
        {
            throw DomainError.Invalid("update_mask", "INVALID_UPDATE_MASK", $"update_mask path '{unknown}' cannot be updated.").ToRpcException();
        }

        var updated = (await billing.UpdateAddressAsync(
            context.User(),
            organizationId,
            addressId,
            current => new AddressFields(
                paths.Contains("recipient") ? a.Recipient : current.Recipient,
                paths.Contains("street") ? a.Street : current.Street,
                paths.Contains("postal_code") ? a.PostalCode : current.PostalCode,
                paths.Contains("city") ? a.City : current.City,
                paths.Contains("country") ? a.Country : current.Country),
            a.Etag,
            context.CancellationToken)).OrThrow();
        return new UpdateBillingAddressResponse { BillingAddress = ToProto(organizationId, new AddressView(updated.Id, false, updated.Lines, updated)) };
    }

    private static readonly HashSet<string> AddressPaths = new(["recipient", "street", "postal_code", "city", "country"], StringComparer.Ordinal);

    [UserCaller]
    public override async Task<DeleteBillingAddressResponse> DeleteBillingAddress(DeleteBillingAddressRequest request, ServerCallContext context)
    {
        var (organizationId, addressId) = ResourceNames.ParseChild(request.Name, "billingAddresses", "name").OrThrow();
        (await billing.RemoveAddressAsync(context.User(), organizationId, addressId, context.CancellationToken)).OrThrow();
        return new DeleteBillingAddressResponse();
    }

    [UserCaller]
    public override async Task<ListToPayResponse> ListToPay(ListToPayRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var toPay = (await billing.ToPayAsync(context.User(), id, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var page = toPay.Products;
        var response = new ListToPayResponse { NextPageToken = page.NextPageToken };
        response.UnpaidInvoices.AddRange(toPay.UnpaidInvoices.Select(ToProto));
        response.Items.AddRange(page.Items.Select(i => new Hosting.Billing.V1.ToPayItem
        {
            Product = ResourceNames.Product(id, i.Product.Id),
            DisplayName = i.Product.Name,
            RenewalTime = i.Product.RenewalDate is { } r ? Timestamp.FromDateTimeOffset(r) : null,
            PriceMinor = i.Price.PriceMinor,
            Currency = i.Price.Currency,
        }));
        return response;
    }

    [UserCaller]
    public override async Task<CreateProFormaResponse> CreateProForma(CreateProFormaRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var order = Order(id, request.Products, request.BillingAddress, null, request.PromotionCode, request.ActivateVouchersFor, null);
        var proForma = (await billing.ProFormaAsync(context.User(), id, order, context.CancellationToken)).OrThrow();
        var response = new CreateProFormaResponse
        {
            Number = proForma.Number,
            SubtotalMinor = proForma.Quote.SubtotalMinor,
            VatMinor = proForma.Quote.VatMinor,
            TotalMinor = proForma.Quote.TotalMinor,
            Currency = proForma.Quote.Currency,
            Notice = proForma.Document.Notice ?? string.Empty,
            Pdf = ByteString.CopyFrom(InvoicePdf.Render(proForma.Document)),
        };
        response.Lines.AddRange(proForma.Quote.Lines.Select(l => ToProto(id, l, proForma.Quote.VouchersOffered.Contains(l.ProductId))));
        return response;
    }

    [UserCaller]
    public override async Task<CheckoutResponse> Checkout(CheckoutRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var order = Order(id, request.Products, request.BillingAddress, request.PaymentMethod, request.PromotionCode, request.ActivateVouchersFor, request.RequestId);
        var invoice = (await billing.CheckoutAsync(context.User(), id, order, context.CancellationToken)).OrThrow();
        return new CheckoutResponse { Invoice = ToProto(invoice) };
    }

    [UserCaller]
    public override async Task<ListInvoicesResponse> ListInvoices(ListInvoicesRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var state = request.State switch
        {
            Hosting.Billing.V1.InvoiceState.Unspecified => (Core.Billing.InvoiceState?)null,
            Hosting.Billing.V1.InvoiceState.Unpaid or Hosting.Billing.V1.InvoiceState.Paid or Hosting.Billing.V1.InvoiceState.Cancelled => (Core.Billing.InvoiceState)request.State,
            _ => throw DomainError.Invalid("state", "INVALID_INVOICE_STATE", "state is unspecified, unpaid, paid or cancelled.").ToRpcException(),
        };
        var page = (await billing.ListInvoicesAsync(context.User(), id, request.PageSize, request.PageToken, context.CancellationToken, state)).OrThrow();
        var response = new ListInvoicesResponse { NextPageToken = page.NextPageToken };
        response.Invoices.AddRange(page.Items.Select(ToProto));
        return response;
    }

    [UserCaller]
    public override async Task<GetInvoiceResponse> GetInvoice(GetInvoiceRequest request, ServerCallContext context)
    {
        var (organizationId, invoiceId) = ResourceNames.ParseChild(request.Name, "invoices", "name").OrThrow();
        var invoice = (await billing.GetInvoiceAsync(context.User(), organizationId, invoiceId, context.CancellationToken)).OrThrow();
        return new GetInvoiceResponse { Invoice = ToProto(invoice) };
    }

    [UserCaller]
    public override async Task<GetInvoicePdfResponse> GetInvoicePdf(GetInvoicePdfRequest request, ServerCallContext context)
    {
        var (organizationId, invoiceId) = ResourceNames.ParseChild(request.Name, "invoices", "name").OrThrow();
        var pdf = (await billing.InvoicePdfAsync(context.User(), organizationId, invoiceId, context.CancellationToken)).OrThrow();
        return new GetInvoicePdfResponse { Pdf = ByteString.CopyFrom(pdf) };
    }

    [UserCaller]
    public override async Task<Google.Api.HttpBody> DownloadInvoicePdf(DownloadInvoicePdfRequest request, ServerCallContext context)
    {
        var (organizationId, invoiceId) = ResourceNames.ParseChild(request.Name, "invoices", "name").OrThrow();
        var pdf = (await billing.InvoicePdfAsync(context.User(), organizationId, invoiceId, context.CancellationToken)).OrThrow();
        // A browser or curl -OJ saves it under the invoice's id rather than the route's last segment.
        context.GetHttpContext().Response.Headers.ContentDisposition = $"attachment; filename=\"invoice-{invoiceId}.pdf\"";
        return new Google.Api.HttpBody { ContentType = "application/pdf", Data = ByteString.CopyFrom(pdf) };
    }

    [UserCaller]
    public override async Task<SetAutoRenewalResponse> SetAutoRenewal(SetAutoRenewalRequest request, ServerCallContext context)
    {
        var (organizationId, productId) = ResourceNames.ParseChild(request.Product, "products", "product").OrThrow();
        var product = (await billing.SetAutoRenewalAsync(context.User(), organizationId, productId, request.Enabled, request.PaymentMethod, context.CancellationToken)).OrThrow();
        return new SetAutoRenewalResponse { Enabled = product.AutoRenew, PaymentMethod = product.RenewalPaymentMethod ?? string.Empty };
    }

    [UserCaller]
    public override async Task<ListVouchersResponse> ListVouchers(ListVouchersRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var page = (await billing.ListVouchersAsync(context.User(), id, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListVouchersResponse { NextPageToken = page.NextPageToken };
        response.Vouchers.AddRange(page.Items.Select(SupportGrpcService.ToProto));
        return response;
    }

    [UserCaller]
    public override async Task<ListCreditNotesResponse> ListCreditNotes(ListCreditNotesRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Parent, "parent").OrThrow();
        var page = (await billing.ListCreditNotesAsync(context.User(), id, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListCreditNotesResponse { NextPageToken = page.NextPageToken };
        response.CreditNotes.AddRange(page.Items.Select(ToProto));
        return response;
    }

    internal static Hosting.Billing.V1.CreditNote ToProto(Core.Billing.CreditNote note) => new()
    {
        Name = $"organizations/{note.OrganizationId}/creditNotes/{note.Id}",
        Number = note.Number,
        Invoice = $"organizations/{note.OrganizationId}/invoices/{note.InvoiceId}",
        AmountMinor = note.AmountMinor,
        Currency = note.Currency,
        Reason = note.Reason,
        IssueTime = Timestamp.FromDateTimeOffset(note.IssuedAt),
        RefundedToWallet = note.RefundTransactionId is not null,
    };

    private static CheckoutOrder Order(Guid organizationId, IEnumerable<string> products, string billingAddress, string? paymentMethod, string promotionCode, IEnumerable<string> vouchers, string? requestId)
    {
        var productIds = products.Select((p, i) => ResourceNames.ParseProductOf(organizationId, p, $"products[{i}]").OrThrow()).ToArray();
        var voucherIds = vouchers.Select((p, i) => ResourceNames.ParseProductOf(organizationId, p, $"activate_vouchers_for[{i}]").OrThrow()).ToHashSet();
        return new CheckoutOrder(productIds, AddressId(organizationId, billingAddress), paymentMethod, promotionCode, voucherIds, requestId);
    }

    /// <summary>The added billing address named, or null for the main one; another organization's is refused.</summary>
    private static Guid? AddressId(Guid organizationId, string billingAddress)
    {
        if (string.IsNullOrEmpty(billingAddress) || billingAddress.EndsWith("/billingAddresses/main", StringComparison.Ordinal))
        {
            return null;
        }

        var (parent, child) = ResourceNames.ParseChild(billingAddress, "billingAddresses", "billing_address").OrThrow();
        return parent == organizationId ? child : throw DomainError.Invalid("billing_address", "INVALID_RESOURCE_NAME", "The billing address belongs to another organization.").ToRpcException();
    }

    private static Hosting.Billing.V1.BillingAddress ToProto(Guid organizationId, AddressView view) => new()
    {
        Name = $"organizations/{organizationId}/billingAddresses/{(view.IsMain ? "main" : view.Id.ToString())}",
        Recipient = view.Lines[0],
        Street = view.Lines[1],
        PostalCode = view.Stored?.PostalCode ?? view.Lines[2].Split(' ', 2)[0],
        City = view.Stored?.City ?? (view.Lines[2].Split(' ', 2) is { Length: 2 } parts ? parts[1] : string.Empty),
        Country = view.Lines[3],
        Main = view.IsMain,
        Etag = view.Stored?.ETag ?? string.Empty,
    };

    private static Hosting.Billing.V1.InvoiceLine ToProto(Guid organizationId, CoreLine line, bool voucherOffered) => new()
    {
        Product = organizationId == Guid.Empty ? string.Empty : ResourceNames.Product(organizationId, line.ProductId),
        Description = line.Description,
        NetMinor = line.NetMinor,
        DiscountMinor = line.DiscountMinor,
        VatRateBasisPoints = line.VatRateBasisPoints,
        VatMinor = line.VatMinor,
        TotalMinor = line.TotalMinor,
        VoucherOffered = voucherOffered,
        DiscountSource = line.DiscountSource ?? string.Empty,
    };

    private Hosting.Billing.V1.Invoice ToProto(CoreInvoice invoice) => ToProto(invoice, clock.GetUtcNow());

    /// <summary>An invoice as the API shows it at <paramref name="now"/> (overdue is relative to it).</summary>
    internal static Hosting.Billing.V1.Invoice ToProto(CoreInvoice invoice, DateTimeOffset now)
    {
        var proto = new Hosting.Billing.V1.Invoice
        {
            Name = $"organizations/{invoice.OrganizationId}/invoices/{invoice.Id}",
            Number = invoice.Number,
            IssueTime = Timestamp.FromDateTimeOffset(invoice.IssuedAt),
            Currency = invoice.Currency,
            SubtotalMinor = invoice.SubtotalMinor,
            VatMinor = invoice.VatMinor,
            TotalMinor = invoice.TotalMinor,
            PaymentMethod = invoice.PaymentMethod,
            State = (Hosting.Billing.V1.InvoiceState)invoice.State,
            DueTime = invoice.DueAt is { } due ? Timestamp.FromDateTimeOffset(due) : null,
            PaidTime = invoice.PaidAt is { } paid ? Timestamp.FromDateTimeOffset(paid) : null,
            CancelTime = invoice.CancelledAt is { } cancelled ? Timestamp.FromDateTimeOffset(cancelled) : null,
            Overdue = invoice.IsOverdue(now),
        };
        proto.Lines.AddRange(invoice.Lines.Select(l => ToProto(invoice.OrganizationId, l, false)));
        proto.BillingAddressLines.AddRange(invoice.BillingAddress.Split('\n'));
        return proto;
    }
}

/// <summary>The Support gRPC service, for staff API keys with the <c>support</c> scope.</summary>
internal sealed class SupportGrpcService(
    Core.Billing.BillingService billing, BillingAdministration administration, UnpaidInvoiceService unpaid, TimeProvider clock, ISecretGenerator random, Core.Notifications.IOutboxStore outbox)
    : SupportService.SupportServiceBase
{
    /// <summary>The scope of support staff's API keys.</summary>
    public const string Scope = "support";

    [ServiceCaller(Scope)]
    public override async Task<GrantVoucherResponse> GrantVoucher(GrantVoucherRequest request, ServerCallContext context)
    {
        var id = ResourceNames.ParseOrganization(request.Organization, "organization").OrThrow();
        var voucher = (await administration.GrantVoucherAsync(id, (CoreProductType)request.ProductType, context.CancellationToken)).OrThrow();
        return new GrantVoucherResponse { Voucher = ToProto(voucher) };
    }

    [ServiceCaller(Scope)]
    public override async Task<CreatePromotionCodeResponse> CreatePromotionCode(CreatePromotionCodeRequest request, ServerCallContext context)
    {
        var promotion = PromotionCode.Create(
            random.NewId(), request.Code ?? string.Empty, request.PercentOffBasisPoints, request.AmountOffMinor,
            string.IsNullOrEmpty(request.Currency) ? "CHF" : request.Currency.ToUpperInvariant(),
            request.ValidFrom?.ToDateTimeOffset() ?? DateTimeOffset.MinValue, request.ValidUntil?.ToDateTimeOffset() ?? DateTimeOffset.MinValue,
            request.MaxRedemptions, request.ProductTypes.Select(t => (CoreProductType)t), request.MinimumOrderMinor, request.OncePerOrganization);
        var created = (await administration.CreatePromotionAsync(promotion, context.CancellationToken)).OrThrow();
        return new CreatePromotionCodeResponse { Code = created.Code };
    }

    [ServiceCaller(Scope)]
    public override async Task<SetCataloguePriceResponse> SetCataloguePrice(SetCataloguePriceRequest request, ServerCallContext context)
    {
        (await administration.SetPriceAsync(new Core.Organizations.CatalogueEntry(
            (CoreProductType)request.ProductType, request.PriceMinor, request.Currency, request.PeriodMonths, request.VatRateBasisPoints), context.CancellationToken)).OrThrow();
        return new SetCataloguePriceResponse();
    }

    [ServiceCaller(Scope)]
    public override async Task<RunRenewalsResponse> RunRenewals(RunRenewalsRequest request, ServerCallContext context) =>
        new() { Renewed = await billing.RunRenewalsAsync(context.CancellationToken) };

    [ServiceCaller(Scope)]
    public override async Task<IssueCreditNoteResponse> IssueCreditNote(IssueCreditNoteRequest request, ServerCallContext context)
    {
        var (organizationId, invoiceId) = ResourceNames.ParseChild(request.Invoice, "invoices", "invoice").OrThrow();
        var note = (await billing.IssueCreditNoteAsync(organizationId, invoiceId, request.AmountMinor, request.Reason, request.RefundToWallet, context.CancellationToken)).OrThrow();
        return new IssueCreditNoteResponse { CreditNote = BillingGrpcService.ToProto(note) };
    }

    [ServiceCaller(Scope)]
    public override async Task<ListParkedNotificationsResponse> ListParkedNotifications(ListParkedNotificationsRequest request, ServerCallContext context)
    {
        var paging = PageRequest.Parse(request.PageSize, request.PageToken).OrThrow();
        var rows = await outbox.ParkedAsync(paging.After, paging.Fetch, context.CancellationToken);
        var page = paging.Cut(rows, m => new PageToken(m.CreatedAt, m.Id));
        var response = new ListParkedNotificationsResponse { NextPageToken = page.NextPageToken };
        response.Notifications.AddRange(page.Items.Select(m => new ParkedNotification
        {
            Id = m.Id.ToString(),
            Kind = m.Kind,
            Recipient = m.Recipient,
            Attempts = m.Attempts,
            CreateTime = Timestamp.FromDateTimeOffset(m.CreatedAt),
            ParkTime = Timestamp.FromDateTimeOffset(m.ParkedAt!.Value),
        }));
        return response;
    }

    [ServiceCaller(Scope)]
    public override async Task<CancelUnpaidInvoiceResponse> CancelUnpaidInvoice(CancelUnpaidInvoiceRequest request, ServerCallContext context)
    {
        var (organizationId, invoiceId) = ResourceNames.ParseChild(request.Invoice, "invoices", "invoice").OrThrow();
        var cancelled = (await unpaid.CancelAsync(organizationId, invoiceId, request.Reason, context.CancellationToken)).OrThrow();
        return new CancelUnpaidInvoiceResponse
        {
            Invoice = BillingGrpcService.ToProto(cancelled.Invoice, clock.GetUtcNow()),
            CreditNote = BillingGrpcService.ToProto(cancelled.CreditNote),
        };
    }

    internal static Voucher ToProto(FreeVoucher voucher) => new()
    {
        Name = $"organizations/{voucher.OrganizationId}/vouchers/{voucher.Id}",
        ProductType = (int)voucher.ProductType,
        GrantTime = Timestamp.FromDateTimeOffset(voucher.GrantedAt),
    };
}
