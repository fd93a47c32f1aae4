using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;

namespace Hosting.Core.Billing;

/// <summary>One line of a cart (ORD-2): a product type, its display name and a billing period the catalogue offers.</summary>
/// <param name="Type">The product type.</param>
/// <param name="DisplayName">The domain name, the hosting's name...</param>
/// <param name="PeriodMonths">The billing period; 0 takes the catalogue's default period.</param>
/// <param name="UseVoucher">Whether to use a free voucher of the organization on it (BIL-9).</param>
public sealed record CartLine(ProductType Type, string? DisplayName, int PeriodMonths, bool UseVoucher);

/// <summary>A cart (ORD-2): its lines, the billing address it will carry and an optional promotion code.</summary>
public sealed record Cart(IReadOnlyList<CartLine> Lines, Guid? BillingAddressId, string? PromotionCode)
{
    /// <summary>The most lines one order holds.</summary>
    public const int MaxLines = 20;
}

/// <summary>What a cart would cost (ORD-2); when the promotion code is refused, the quote is without it and says why.</summary>
public sealed record CartSummary(Quote Quote, IReadOnlyList<string> BillingAddress, DomainError? PromotionRefusal);

/// <summary>A confirmed order (ORD-3): its final invoice, paid or unpaid, and the products it created.</summary>
public sealed record PlacedOrder(Invoice Invoice, IReadOnlyList<Product> Products);

/// <summary>
/// The shop (ORD-1..ORD-3): summaries of carts and their confirmation into an existing
/// organization, by its administrators and legal representatives only. A confirmation commits the
/// products, the final invoice with its gapless number, the payment (or the unpaid invoice), the
/// redemptions and the request id in one transaction, retried from a fresh read on a lost race.
/// </summary>
public sealed class OrderService(
    IBillingStore store,
    IOrganizationStore organizations,
    WalletService wallets,
    IProductCatalogue catalogue,
    TimeProvider clock,
    ISecretGenerator random,
    BillingOptions options)
{
    private readonly Pricing _pricing = new(store, clock);
    private readonly PaymentCollector _payments = new(wallets);
    private readonly IdempotentCommand _once = new(store, wallets.Charges, clock, options.MaxAttempts);
    private readonly MailDomains _mailDomains = new(organizations);

    /// <summary>Prices a cart without changing anything (ORD-2).</summary>
    public async Task<Result<CartSummary>> SummarizeAsync(AuthenticatedUser user, Guid organizationId, Cart cart, CancellationToken ct = default)
    {
        var organization = await OrderingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var address = await BillingService.AddressLinesAsync(store, organization.Value, cart.BillingAddressId, ct).ConfigureAwait(false);
        if (!address.IsSuccess)
        {
            return address.Error;
        }

        var items = await ItemsAsync(cart, ct).ConfigureAwait(false);
        if (!items.IsSuccess)
        {
            return items.Error;
        }

        var promotion = await _pricing.PromotionAsync(organizationId, cart.PromotionCode, items.Value, ct).ConfigureAwait(false);
        var quote = await _pricing.QuoteAsync(organizationId, items.Value, promotion.IsSuccess ? promotion.Value : null, ct).ConfigureAwait(false);
        return quote.IsSuccess ? new CartSummary(quote.Value, address.Value, promotion.IsSuccess ? null : promotion.Error) : quote.Error;
    }

    /// <summary>
    /// Confirms a cart (ORD-3): the wallet or a card pays at once (paid invoice, active products);
    /// a bank transfer issues an unpaid invoice due after the bank-transfer term, its products
    /// pending. A refused payment leaves nothing behind. The same request id returns the first result.
    /// </summary>
    public async Task<Result<PlacedOrder>> ConfirmAsync(AuthenticatedUser user, Guid organizationId, Cart cart, string? paymentMethod, string? requestId, CancellationToken ct = default)
    {
        var organization = await OrderingOrganizationAsync(user, organizationId, ct).ConfigureAwait(false);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        // Spending the organization's wallet needs billing rights (BIL-2), even for an administrator.
        if (paymentMethod == PaymentCollector.WalletMethod && organization.Value.MemberOf(user.AccountId)?.CanBill != true)
        {
            return WalletErrors.BillingRightsRequired;
        }

        if (!RequestIds.IsValid(requestId))
        {
            return WalletErrors.RequestIdInvalid;
        }

        if (paymentMethod != PaymentCollector.BankTransferMethod && !_payments.PaysAtOnce(paymentMethod))
        {
            return BillingErrors.UnknownPaymentMethod;
        }

        var key = IdempotencyRecord.KeyOf(organizationId, "order:" + requestId);
        var fingerprint = IdempotencyRecord.FingerprintOf(
            "order", System.Text.Json.JsonSerializer.Serialize(cart.Lines.Select(l => new object[] { (int)l.Type, l.DisplayName ?? string.Empty, l.PeriodMonths, l.UseVoucher })),
            cart.BillingAddressId?.ToString() ?? string.Empty, cart.PromotionCode ?? string.Empty, paymentMethod!);
        return await _once.RunAsync(
            key,
            fingerprint,
            // The first attempt reuses the organization read for the rights check; a retry starts from a cleared store.
            attempt => PlaceAsync(attempt == 1 ? organization.Value : null, organizationId, cart, paymentMethod!, requestId!, key, fingerprint, ct),
            placed => placed.Invoice.Id,
            invoiceId => ReplayAsync(organizationId, invoiceId, ct),
            null,
            ct).ConfigureAwait(false);
    }

    private async Task<Result<PlacedOrder>> PlaceAsync(Organization? read, Guid organizationId, Cart cart, string method, string requestId, string key, string fingerprint, CancellationToken ct)
    {
        var organization = read ?? await organizations.FindAsync(organizationId, [], ct).ConfigureAwait(false);
        if (organization is null)
        {
            return OrganizationErrors.NotFound;
        }

        var address = await BillingService.AddressLinesAsync(store, organization, cart.BillingAddressId, ct).ConfigureAwait(false);
        if (!address.IsSuccess)
        {
            return address.Error;
        }

        var items = await ItemsAsync(cart, ct).ConfigureAwait(false);
        if (!items.IsSuccess)
        {
            return items.Error;
        }

        var promotion = await _pricing.PromotionAsync(organizationId, cart.PromotionCode, items.Value, ct).ConfigureAwait(false);
        if (!promotion.IsSuccess)
        {
            return promotion.Error;
        }

        var quote = await _pricing.QuoteAsync(organizationId, items.Value, promotion.Value, ct).ConfigureAwait(false);
        if (!quote.IsSuccess)
        {
            return quote.Error;
        }

        var now = clock.GetUtcNow();
        var products = items.Value
            .Select(i => Product.Order(i.Id, organizationId, i.Type, i.Name, Money.FromTrusted(i.Price.PriceMinor, i.Price.Currency), now, i.Price.PeriodMonths).Value)
            .ToList();

        // MBX-6: a mail service's domain belongs to one organization; a racing order loses at the store.
        var claimed = await _mailDomains.ClaimAsync(products, i => $"lines[{i}].display_name", now, ct).ConfigureAwait(false);
        if (!claimed.IsSuccess)
        {
            return claimed.Error;
        }

        Invoice invoice;
        if (method == PaymentCollector.BankTransferMethod)
        {
            var deferred = await _payments.DeferAsync(key, ct).ConfigureAwait(false);
            if (!deferred.IsSuccess)
            {
                return deferred.Error;
            }

            invoice = Invoice.IssueUnpaid(random.NewId(), organizationId, 0, now, now + options.BankTransferTerm, quote.Value, organization.Name, address.Value, method);
        }
        else
        {
            var total = Money.FromTrusted(quote.Value.TotalMinor, quote.Value.Currency);
            var charged = await _payments.ChargeAsync(organizationId, "order", method, total, key, fingerprint, ct).ConfigureAwait(false);
            if (!charged.IsSuccess)
            {
                return charged.Error;
            }

            var payment = await _payments.CollectAsync(organizationId, method, total, "order:" + requestId, key, ct).ConfigureAwait(false);
            if (!payment.IsSuccess)
            {
                return payment.Error;
            }

            invoice = Invoice.Issue(random.NewId(), organizationId, 0, now, quote.Value, organization.Name, address.Value, method, payment.Value);
        }

        store.Add(invoice);
        _pricing.NumberOnCommit(InvoiceSequence.SingletonId, invoice);
        foreach (var product in products)
        {
            product.AwaitInvoice(invoice.Id);
            if (invoice.State == InvoiceState.Paid)
            {
                product.ActivateFor(now);
            }

            store.Add(product);
        }

        await _pricing.RedeemAsync(organizationId, quote.Value, invoice.Id, random.NewId(), ct).ConfigureAwait(false);
        return new PlacedOrder(invoice, products);
    }

    private async Task<Result<PlacedOrder>> ReplayAsync(Guid organizationId, Guid invoiceId, CancellationToken ct)
    {
        var invoice = (await store.FindInvoiceAsync(invoiceId, ct).ConfigureAwait(false))!;
        return new PlacedOrder(invoice, await organizations.ListInvoiceProductsAsync(organizationId, invoiceId, ct).ConfigureAwait(false));
    }

    /// <summary>The cart's lines as items to price, each checked against the catalogue (ORD-2).</summary>
    private async Task<Result<IReadOnlyList<PricedItem>>> ItemsAsync(Cart cart, CancellationToken ct)
    {
        if (cart.Lines.Count == 0)
        {
            return BillingErrors.CartEmpty;
        }

        if (cart.Lines.Count > Cart.MaxLines)
        {
            return DomainError.Invalid("lines", "CART_TOO_LARGE", $"An order has at most {Cart.MaxLines} lines.");
        }

        var items = new List<PricedItem>();
        for (var i = 0; i < cart.Lines.Count; i++)
        {
            var line = cart.Lines[i];
            if (!Enum.IsDefined(line.Type))
            {
                return OrganizationErrors.UnknownProductType.ForField($"lines[{i}].product_type");
            }

            var name = Product.NameOf(line.DisplayName);
            if (!name.IsSuccess)
            {
                return name.Error.ForField($"lines[{i}].display_name");
            }

            var price = line.PeriodMonths == 0
                ? await catalogue.FindAsync(line.Type, ct).ConfigureAwait(false)
                : await catalogue.FindAsync(line.Type, line.PeriodMonths, ct).ConfigureAwait(false);
            if (price is null)
            {
                return line.PeriodMonths == 0 ? OrganizationErrors.UnknownProductType.ForField($"lines[{i}].product_type") : BillingErrors.PeriodNotOffered(i);
            }

            items.Add(new PricedItem(random.NewId(), line.Type, name.Value, price, line.UseVoucher));
        }

        return items.Any(s => s.Price.Currency != items[0].Price.Currency) ? BillingErrors.CurrencyMismatch.ForField("lines") : items;
    }

    /// <summary>ORD-1: members who may order; outsiders see no organization at all.</summary>
    private Task<Result<Organization>> OrderingOrganizationAsync(AuthenticatedUser user, Guid organizationId, CancellationToken ct) =>
        organizations.MemberWithRightAsync(user, organizationId, m => m.CanManage, BillingErrors.OrderRightsRequired, ct);
}
