using System.Globalization;
using Hosting.Core.Accounts;
using Hosting.Core.Notifications;
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
public sealed class BillingService(
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

    /// <summary>The organization's billing addresses, the main one first (BIL-1).</summary>
    public async Task<Result<IReadOnlyList<AddressView>>> ListAddressesAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var stored = await store.AddressesAsync(organizationId, ct).ConfigureAwait(false);
        return Result<IReadOnlyList<AddressView>>.Ok([MainAddress(organization.Value), .. stored.Select(a => new AddressView(a.Id, false, a.Lines, a))]);
    }

    /// <summary>One page of the billing addresses: the main one first, then the added ones oldest first (BIL-1, API-4).</summary>
    public async Task<Result<Page<AddressView>>> ListAddressesAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var all = await ListAddressesAsync(user, organizationId, ct).ConfigureAwait(false);
        return all.IsSuccess ? Pager.Apply(all.Value, a => a.Position, pageSize, pageToken) : all.Error;
    }

    /// <summary>Adds a billing address (BIL-1).</summary>
    public async Task<Result<BillingAddress>> AddAddressAsync(AuthenticatedUser user, Guid organizationId, string? recipient, string? street, string? postalCode, string? city, string? country, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var address = BillingAddress.Create(random.NewId(), organizationId, recipient, street, postalCode, city, country, clock.GetUtcNow());
        if (!address.IsSuccess)
        {
            return address;
        }

        store.Add(address.Value);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return address;
    }

    /// <summary>Edits an added billing address (the main one follows the contact details).</summary>
    public async Task<Result<BillingAddress>> UpdateAddressAsync(AuthenticatedUser user, Guid organizationId, Guid addressId, string? recipient, string? street, string? postalCode, string? city, string? country, CancellationToken ct = default)
    {
        var found = await StoredAddressAsync(user, organizationId, addressId, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found;
        }

        var set = found.Value.Set(recipient, street, postalCode, city, country);
        if (!set.IsSuccess)
        {
            return set.Error;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return found;
    }

    /// <summary>
    /// Edits an added billing address from its current fields (an update mask applied by the caller),
    /// refusing a stale <paramref name="etag"/> with ABORTED <c>ETAG_MISMATCH</c>; without an etag the update applies (API-4).
    /// </summary>
    public async Task<Result<BillingAddress>> UpdateAddressAsync(
        AuthenticatedUser user, Guid organizationId, Guid addressId, Func<AddressFields, AddressFields> change, string? etag, CancellationToken ct = default)
    {
        var found = await StoredAddressAsync(user, organizationId, addressId, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found;
        }

        var address = found.Value;
        if (!string.IsNullOrEmpty(etag) && etag != address.ETag)
        {
            return BillingErrors.AddressETagMismatch;
        }

        var next = change(new AddressFields(address.Recipient, address.Street, address.PostalCode, address.City, address.Country));
        var set = address.Set(next.Recipient, next.Street, next.PostalCode, next.City, next.Country);
        if (!set.IsSuccess)
        {
            return set.Error;
        }

        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return address;
    }

    /// <summary>Removes an added billing address; the main one always remains, so there is never none (BIL-1).</summary>
    public async Task<Result<Done>> RemoveAddressAsync(AuthenticatedUser user, Guid organizationId, Guid addressId, CancellationToken ct = default)
    {
        var found = await StoredAddressAsync(user, organizationId, addressId, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        store.Remove(found.Value);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return Done.Value;
    }

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

    /// <summary>The organization's final invoices, newest first, all or those in one state (BIL-5).</summary>
    public Task<Result<Page<Invoice>>> ListInvoicesAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default, InvoiceState? state = null) =>
        BillingPageAsync(user, organizationId, pageSize, pageToken, (after, fetch) => store.InvoicesAsync(organizationId, after, fetch, ct, state), i => new PageToken(i.IssuedAt, i.Id), ct);

    /// <summary>One page of a list the store pages by keyset, for a caller with billing rights.</summary>
    private async Task<Result<Page<T>>> BillingPageAsync<T>(
        AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, Func<PageToken?, int, Task<IReadOnlyList<T>>> fetch, Func<T, PageToken> key, CancellationToken ct)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var rows = await fetch(page.Value.After, page.Value.Fetch).ConfigureAwait(false);
        return page.Value.Cut(rows, key);
    }

    /// <summary>One final invoice of the organization.</summary>
    public async Task<Result<Invoice>> GetInvoiceAsync(AuthenticatedUser user, Guid organizationId, Guid invoiceId, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var invoice = await store.FindInvoiceAsync(invoiceId, ct).ConfigureAwait(false);
        return invoice is null || invoice.OrganizationId != organizationId ? BillingErrors.InvoiceNotFound : invoice;
    }

    /// <summary>The PDF of a final invoice, once paid (BIL-5: an unpaid or cancelled one is refused).</summary>
    public async Task<Result<byte[]>> InvoicePdfAsync(AuthenticatedUser user, Guid organizationId, Guid invoiceId, CancellationToken ct = default)
    {
        var invoice = await GetInvoiceAsync(user, organizationId, invoiceId, ct).ConfigureAwait(false);
        if (!invoice.IsSuccess)
        {
            return invoice.Error;
        }

        return invoice.Value.State switch
        {
            InvoiceState.Paid => InvoicePdf.Render(invoice.Value.Document(options.Seller)),
            InvoiceState.Unpaid => BillingErrors.InvoiceNotPaid,
            _ => BillingErrors.InvoiceCancelled,
        };
    }

    /// <summary>Switches automatic renewal of a product with its payment preference (BIL-7).</summary>
    public async Task<Result<Product>> SetAutoRenewalAsync(AuthenticatedUser user, Guid organizationId, Guid productId, bool enabled, string? paymentMethod, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var product = await organizations.FindProductAsync(organizationId, productId, ct).ConfigureAwait(false);
        if (product is null)
        {
            return OrganizationErrors.ProductNotFound;
        }

        if (enabled && paymentMethod != WalletMethod && (paymentMethod is null || !gateway.Knows(paymentMethod)))
        {
            return BillingErrors.UnknownPaymentMethod;
        }

        product.SetAutoRenewal(enabled, paymentMethod);
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
        return product;
    }

    /// <summary>
    /// Renews what is due with automatic renewal on, paying from each product's preference; a
    /// failure leaves the product in "to pay" and notifies the billing members once per due date
    /// (BIL-7). Returns how many were renewed.
    /// </summary>
    public async Task<int> RunRenewalsAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var due = await store.DueForAutoRenewalAsync(now, ct).ConfigureAwait(false);
        var renewed = 0;
        foreach (var product in due.Select(p => (p.Id, p.OrganizationId, p.RenewalDate, p.RenewalPaymentMethod, p.Name)).ToList())
        {
            var ticks = product.RenewalDate!.Value.UtcTicks.ToString(CultureInfo.InvariantCulture);
            var order = new CheckoutOrder([product.Id], null, product.RenewalPaymentMethod, null, new HashSet<Guid>(), $"r{product.Id:N}{product.RenewalDate.Value:yyyyMMddHHmm}{now:yyyyMMdd}");
            var result = await CheckoutCoreAsync(product.OrganizationId, order, ct).ConfigureAwait(false);
            store.Reset();
            if (result.IsSuccess)
            {
                renewed++;
                continue;
            }

            await NotifyRenewalFailureAsync(product.OrganizationId, product.Id, product.Name, ticks, result.Error!, ct).ConfigureAwait(false);
        }

        return renewed;
    }

    /// <summary>
    /// Support corrects a final invoice with a credit note (BIL-5): the invoice never changes; the
    /// credited amounts never exceed its total; the amount may go back to the wallet.
    /// </summary>
    public async Task<Result<CreditNote>> IssueCreditNoteAsync(Guid organizationId, Guid invoiceId, long amountMinor, string? reason, bool refundToWallet, CancellationToken ct = default)
    {
        var text = (reason ?? string.Empty).Trim();
        if (text.Length is 0 or > 500)
        {
            return DomainError.Invalid("reason", "REASON_REQUIRED", "A credit note says why, in 1 to 500 characters.");
        }

        if (amountMinor <= 0)
        {
            return DomainError.Invalid("amount_minor", "INVALID_AMOUNT", "The amount must be positive.");
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var invoice = await store.InvoiceForUpdateAsync(invoiceId, ct).ConfigureAwait(false);
                if (invoice is null || invoice.OrganizationId != organizationId)
                {
                    return BillingErrors.InvoiceNotFound;
                }

                // An unpaid invoice is corrected by cancelling it (ORD-4): nothing was received to credit.
                if (invoice.State != InvoiceState.Paid)
                {
                    return invoice.State == InvoiceState.Unpaid ? BillingErrors.InvoiceNotPaid : BillingErrors.InvoiceCancelled;
                }

                var credited = (await store.CreditNotesOfInvoiceAsync(invoiceId, ct).ConfigureAwait(false)).Sum(c => c.AmountMinor);
                if (credited + amountMinor > invoice.TotalMinor)
                {
                    return DomainError.Invalid("amount_minor", "CREDIT_EXCEEDS_INVOICE", "Credit notes cannot credit more than the invoice's total.") with { Kind = ErrorKind.FailedPrecondition };
                }

                var number = await _pricing.NextNumberAsync(InvoiceSequence.CreditNotesId, ct).ConfigureAwait(false);
                Guid? refund = null;
                if (refundToWallet)
                {
                    refund = (await wallets.RefundInUnitOfWorkAsync(organizationId, Money.FromTrusted(amountMinor, invoice.Currency), $"credit-note:{number}", ct).ConfigureAwait(false)).Id;
                }

                var note = CreditNote.Issue(random.NewId(), invoice, number, amountMinor, text, clock.GetUtcNow(), refund);
                store.Add(note);
                await store.SaveChangesAsync(ct).ConfigureAwait(false);
                return note;
            }
            catch (Exception e) when (e is ConcurrencyConflictException or DuplicateKeyException && attempt < options.MaxAttempts)
            {
                store.Reset();
            }
        }
    }

    /// <summary>One page of the organization's credit notes, newest first (BIL-5, API-4).</summary>
    public Task<Result<Page<CreditNote>>> ListCreditNotesAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default) =>
        BillingPageAsync(user, organizationId, pageSize, pageToken, (after, fetch) => store.CreditNotesAsync(organizationId, after, fetch, ct), c => new PageToken(c.IssuedAt, c.Id), ct);

    /// <summary>The organization's unused vouchers; billing rights needed.</summary>
    public async Task<Result<IReadOnlyList<FreeVoucher>>> ListVouchersAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct = default)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        return organization.IsSuccess ? Result<IReadOnlyList<FreeVoucher>>.Ok(await store.UnusedVouchersAsync(organizationId, ct).ConfigureAwait(false)) : organization.Error;
    }

    /// <summary>One page of the organization's unused free vouchers, oldest grant first (BIL-9, API-4).</summary>
    public async Task<Result<Page<FreeVoucher>>> ListVouchersAsync(AuthenticatedUser user, Guid organizationId, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var rows = await store.UnusedVouchersAsync(organizationId, page.Value.After, page.Value.Fetch, ct).ConfigureAwait(false);
        return page.Value.Cut(rows, v => new PageToken(v.GrantedAt, v.Id));
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
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await store.FindIdempotencyAsync(key, ct).ConfigureAwait(false) is { } record)
                {
                    if (!Secrets.DigestEquals(record.Fingerprint, fingerprint))
                    {
                        return WalletErrors.RequestIdReused;
                    }

                    return record.Failure is { } failure ? failure
                        : (await store.FindInvoiceAsync(record.ResultId!.Value, ct).ConfigureAwait(false))!;
                }

                organization ??= await organizations.FindAsync(organizationId, [], ct).ConfigureAwait(false);
                if (organization is null)
                {
                    return OrganizationErrors.NotFound;
                }

                var outcome = await PayAndIssueAsync(organization, order, key, fingerprint, ct).ConfigureAwait(false);
                if (!outcome.IsSuccess)
                {
                    if (outcome.Error.Reason == WalletErrors.GatewayTimeout.Reason)
                    {
                        return outcome;
                    }

                    store.Reset();
                    if (outcome.Error.Reason == WalletErrors.RequestIdReused.Reason)
                    {
                        return outcome;
                    }

                    // A failed payment changes nothing but is remembered under its request id; an
                    // external charge made for it is given back (WAL-7).
                    await _payments.ReleaseAsync(key, ct).ConfigureAwait(false);
                    store.Add(IdempotencyRecord.Failed(key, fingerprint, outcome.Error, clock.GetUtcNow()));
                    await store.SaveChangesAsync(ct).ConfigureAwait(false);
                    return outcome;
                }

                store.Add(IdempotencyRecord.Succeeded(key, fingerprint, outcome.Value.Id, clock.GetUtcNow()));
                await store.SaveChangesAsync(ct).ConfigureAwait(false);
                return outcome;
            }
            catch (Exception e) when (e is ConcurrencyConflictException or DuplicateKeyException && attempt < options.MaxAttempts)
            {
                store.Reset();
            }
        }
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

    private async Task NotifyRenewalFailureAsync(Guid organizationId, Guid productId, string productName, string dueTicks, DomainError error, CancellationToken ct)
    {
        var key = IdempotencyRecord.KeyOf(organizationId, $"renewal-notice-{productId:N}-{dueTicks}");
        if (await store.FindIdempotencyAsync(key, ct).ConfigureAwait(false) is not null)
        {
            return;
        }

        var organization = await organizations.FindAsync(organizationId, [], ct).ConfigureAwait(false);
        if (organization is null)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var billing = await organizations.BillingMemberIdsAsync(organizationId, ct).ConfigureAwait(false);
        var logins = await organizations.LoginsAsync(billing, ct).ConfigureAwait(false);
        foreach (var login in logins.Values)
        {
            store.Add(OutboxMessage.Queue(random.NewId(), "renewal-failed", login.Value, $"Renewal of {productName} failed",
                $"The automatic renewal of {productName} in {organization.Name} could not be paid ({error.Reason}). It stays in \"to pay\" until it is paid.", now));
        }

        store.Add(IdempotencyRecord.Failed(key, "notice", error, now));
        await store.SaveChangesAsync(ct).ConfigureAwait(false);
    }

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

    private async Task<Result<BillingAddress>> StoredAddressAsync(AuthenticatedUser user, Guid organizationId, Guid addressId, CancellationToken ct)
    {
        var organization = await BillingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var stored = (await store.AddressesAsync(organizationId, ct).ConfigureAwait(false)).FirstOrDefault(a => a.Id == addressId);
        return stored is null ? BillingErrors.AddressNotFound : stored;
    }

    private Task<Result<Organization>> BillingOrganizationAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct) =>
        organizations.MemberWithRightAsync(user, organizationId, m => m.CanBill, WalletErrors.BillingRightsRequired, ct);

    private static string Totp32(byte[] bytes) => Security.Totp.ToBase32(bytes)[..8];
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
