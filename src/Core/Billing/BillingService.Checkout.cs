using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;

namespace Hosting.Core.Billing;

/// <summary>What is to pay, pro formas, and checkout with its pricing (BIL-3, BIL-4, BIL-6, BIL-8..BIL-10).</summary>
public sealed partial class BillingService
{
    /// <summary>Products awaiting payment or due for renewal within the horizon (BIL-3).</summary>
    public async Task<Result<IReadOnlyList<ToPayItem>>> ToPayAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var horizon = clock.GetUtcNow() + options.ToPayHorizon;
        var items = new List<ToPayItem>();
        foreach (var product in await organizations.ListProductsAsync(organizationId, ct).ConfigureAwait(false))
        {
            // A product ordered by bank transfer is paid through its invoice, listed beside the products.
            var due = (product.Status == ProductStatus.AwaitingPayment && !product.AwaitsInvoice) || (product.Status == ProductStatus.Active && product.RenewalDate <= horizon);
            if (due && await catalogue.RenewalPriceAsync(product, ct).ConfigureAwait(false) is { } price)
            {
                items.Add(new ToPayItem(product, price));
            }
        }

        return items.OrderBy(i => i.Product.RenewalDate ?? DateTimeOffset.MinValue).ToList();
    }

    /// <summary>One page of "to pay", soonest due first, products awaiting their first payment leading (BIL-3, API-4).</summary>
    public async Task<Result<ToPayPage>> ToPayAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var request = PageRequest.Parse(pageSize, pageToken);
        if (!request.IsSuccess)
        {
            return request.Error;
        }

        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        // One page of due products from the store; the token is cut on the rows read, so a product
        // the catalogue no longer prices is skipped without ending the list.
        var horizon = clock.GetUtcNow() + options.ToPayHorizon;
        var rows = await organizations.ListDueProductsAsync(organizationId, horizon, request.Value.After, request.Value.Fetch, ct).ConfigureAwait(false);
        var cut = request.Value.Cut(rows, p => new PageToken(p.RenewalDate ?? DateTimeOffset.MinValue, p.Id));
        var items = new List<ToPayItem>();
        foreach (var product in cut.Items)
        {
            if (await catalogue.RenewalPriceAsync(product, ct).ConfigureAwait(false) is { } price)
            {
                items.Add(new ToPayItem(product, price));
            }
        }

        var unpaid = string.IsNullOrEmpty(pageToken) ? await store.UnpaidInvoicesAsync(organizationId, ct).ConfigureAwait(false) : [];
        return new ToPayPage(new Page<ToPayItem>(items, cut.NextPageToken), unpaid);
    }

    /// <summary>A pro forma for selected items (BIL-4): no legal value, no legal number, nothing changed.</summary>
    public async Task<Result<ProForma>> ProFormaAsync(AuthenticatedUser user, Guid organizationId, CheckoutOrder order, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var address = await AddressLinesAsync(store, organization.Value, order.BillingAddressId, ct).ConfigureAwait(false);
        if (!address.IsSuccess)
        {
            return address.Error;
        }

        var quote = await QuoteAsync(organization.Value, order, ct).ConfigureAwait(false);
        if (!quote.IsSuccess)
        {
            return quote.Error;
        }

        var now = clock.GetUtcNow();
        var number = $"PF-{now:yyyyMMdd}-{Totp32(random.GetBytes(5))}";
        var document = new InvoiceDocument(
            "Pro forma invoice", number, now, options.Seller, organization.Value.Name, address.Value,
            quote.Value.Lines.Select(l => new InvoiceDocumentLine(l.Description, l.NetMinor - l.DiscountMinor, l.VatRateBasisPoints, l.VatMinor, l.TotalMinor)).ToList(),
            quote.Value.SubtotalMinor, quote.Value.VatMinor, quote.Value.TotalMinor, quote.Value.Currency,
            "This pro forma invoice has no legal, tax or accounting value.");
        return new ProForma(number, quote.Value, document);
    }

    /// <summary>Pays selected items (BIL-6): a failed payment changes nothing; a success issues the final invoice.</summary>
    public async Task<Result<Invoice>> CheckoutAsync(AuthenticatedUser user, Guid organizationId, CheckoutOrder order, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        return organization.IsSuccess ? await CheckoutCoreAsync(organizationId, order, ct, organization.Value).ConfigureAwait(false) : organization.Error;
    }

    /// <param name="organizationId">Whose checkout.</param>
    /// <param name="order">What it pays.</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="organization">The organization as the caller's authorization read it, so that it is not read again; its name and contact are all a checkout takes from it.</param>
    private async Task<Result<Invoice>> CheckoutCoreAsync(Guid organizationId, CheckoutOrder order, CancellationToken ct, Organization? organization = null)
    {
        if (!RequestIds.IsValid(order.RequestId))
        {
            return WalletErrors.RequestIdInvalid;
        }

        var key = IdempotencyRecord.KeyOf(organizationId, "checkout:" + order.RequestId);
        var fingerprint = IdempotencyRecord.FingerprintOf(
            "checkout", string.Join(',', order.ProductIds.Order()), order.BillingAddressId?.ToString() ?? string.Empty, order.PaymentMethod ?? string.Empty,
            order.PromotionCode ?? string.Empty, string.Join(',', order.ActivateVouchersFor.Order()));
        return await _once.RunAsync(
            key,
            fingerprint,
            async _ =>
            {
                organization ??= await organizations.FindAsync(organizationId, [], ct).ConfigureAwait(false);
                return organization is null ? OrganizationErrors.NotFound : await PayAndIssueAsync(organization, order, key, fingerprint, ct).ConfigureAwait(false);
            },
            invoice => invoice.Id,
            async id => Result<Invoice>.Ok((await store.FindInvoiceAsync(id, ct).ConfigureAwait(false))!),
            null,
            ct).ConfigureAwait(false);
    }

    private async Task<Result<Invoice>> PayAndIssueAsync(Organization organization, CheckoutOrder order, string key, string fingerprint, CancellationToken ct)
    {
        var organizationId = organization.Id;
        var address = await AddressLinesAsync(store, organization, order.BillingAddressId, ct).ConfigureAwait(false);
        if (!address.IsSuccess)
        {
            return address.Error;
        }

        // One read of the products, the catalogue and the vouchers serves the quote and the renewal below.
        var quoted = await QuotedAsync(organization, order, ct).ConfigureAwait(false);
        if (!quoted.IsSuccess)
        {
            return quoted.Error;
        }

        var (quote, selected) = (Result<Quote>.Ok(quoted.Value.Quote), quoted.Value.Products);
        var method = order.PaymentMethod ?? string.Empty;
        var total = Money.FromTrusted(quote.Value.TotalMinor, quote.Value.Currency);
        var charged = await _payments.ChargeAsync(organizationId, "checkout", method, total, key, fingerprint, ct).ConfigureAwait(false);
        if (!charged.IsSuccess)
        {
            return charged.Error;
        }

        var payment = await _payments.CollectAsync(organizationId, method, total, "checkout:" + order.RequestId, key, ct).ConfigureAwait(false);
        if (!payment.IsSuccess)
        {
            return payment.Error;
        }

        var now = clock.GetUtcNow();
        var invoice = Invoice.Issue(random.NewId(), organizationId, 0, now, quote.Value, organization.Name, address.Value, method, payment.Value);
        store.Add(invoice);
        _pricing.NumberOnCommit(InvoiceSequence.SingletonId, invoice);
        foreach (var (product, price) in selected)
        {
            // The period added is the period priced: the product's own, or the default one when withdrawn.
            product.Renew(now, price.PeriodMonths);
        }

        await _pricing.RedeemAsync(organizationId, quote.Value, invoice.Id, random.NewId(), ct).ConfigureAwait(false);
        return invoice;
    }

    /// <summary>Prices the selected products with vouchers and the promotion code, VAT per line (BIL-8, BIL-9, BIL-10).</summary>
    private async Task<Result<Quote>> QuoteAsync(Organization organization, CheckoutOrder order, CancellationToken ct)
    {
        var quoted = await QuotedAsync(organization, order, ct).ConfigureAwait(false);
        return quoted.IsSuccess ? quoted.Value.Quote : quoted.Error;
    }

    /// <summary>The quote, with the tracked products it prices and the catalogue entry each was priced at.</summary>
    private async Task<Result<(Quote Quote, IReadOnlyList<(Product Product, CatalogueEntry Price)> Products)>> QuotedAsync(Organization organization, CheckoutOrder order, CancellationToken ct)
    {
        if (order.ProductIds.Count == 0)
        {
            return BillingErrors.ItemsRequired;
        }

        var wanted = order.ProductIds.Distinct().ToList();
        var all = await organizations.ListProductsAsync(organization.Id, wanted, null, wanted.Count, ct).ConfigureAwait(false);
        var selected = new List<PricedItem>();
        var products = new List<(Product, CatalogueEntry)>();
        var prices = new MemoizedProductCatalogue(catalogue);
        foreach (var id in wanted)
        {
            var product = all.FirstOrDefault(p => p.Id == id);
            if (product is null)
            {
                return OrganizationErrors.ProductNotFound;
            }

            if (product.Status == ProductStatus.Terminated)
            {
                return OrganizationErrors.ProductTerminated;
            }

            if (product.AwaitsInvoice)
            {
                return BillingErrors.ProductAwaitsInvoice;
            }

            var price = await prices.RenewalPriceAsync(product, ct).ConfigureAwait(false);
            if (price is null)
            {
                return OrganizationErrors.UnknownProductType;
            }

            selected.Add(new PricedItem(product.Id, product.Type, product.Name, price, order.ActivateVouchersFor.Contains(product.Id)));
            products.Add((product, price));
        }

        if (selected.Any(s => s.Price.Currency != selected[0].Price.Currency))
        {
            return BillingErrors.CurrencyMismatch;
        }

        var promotion = await _pricing.PromotionAsync(organization.Id, order.PromotionCode, selected, ct).ConfigureAwait(false);
        if (!promotion.IsSuccess)
        {
            return promotion.Error;
        }

        var quote = await _pricing.QuoteAsync(organization.Id, selected, promotion.Value, ct).ConfigureAwait(false);
        return quote.IsSuccess ? (quote.Value, products) : quote.Error;
    }

    private static string Totp32(byte[] bytes) => Security.Totp.ToBase32(bytes)[..8];
}
