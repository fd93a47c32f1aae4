using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>Every refusal of "to pay", the checkout, the pro forma and the shop's orders: each answers why and leaves the wallet, invoices and products as they were.</summary>
public sealed class CheckoutRefusalTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private sealed record Setup(AuthenticatedUser Owner, Guid OrganizationId, Guid Hosting, Guid Domain);

    private async Task<Setup> SetUpAsync(long walletBalance = 100_000)
    {
        var (owner, id) = await _h.OrganizationAsync();
        var hosting = AddProduct(id, ProductType.WebHosting, "meier.ch hosting", activeUntil: null);
        var domain = AddProduct(id, ProductType.DomainName, "meier.ch", activeUntil: _h.Clock.GetUtcNow().AddDays(10));
        Assert.True((await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(walletBalance, "CHF"), SimulatedPaymentGateway.Success, "fund")).IsSuccess);
        return new Setup(owner, id, hosting, domain);
    }

    private Guid AddProduct(Guid organizationId, ProductType type, string name, DateTimeOffset? activeUntil) =>
        _h.AddProduct(organizationId, type, name, activeUntil).Id;

    private static CheckoutOrder Order(IEnumerable<Guid> products, Guid? address = null, string? requestId = "cart-1") =>
        BillingWorld.Checkout(products, requestId, address);

    private long Balance(Guid organizationId) => _h.Query(db => db.Set<Wallet>().Where(w => w.OrganizationId == organizationId).Sum(w => w.Balance));

    private int Invoices() => _h.Query(db => db.Set<Invoice>().Count());

    private ProductStatus Status(Guid product) => _h.Query(db => db.Set<Product>().Single(p => p.Id == product).Status);

    [Fact]
    [Trait("Rule", "BIL-3")]
    public async Task ToPay_InPages_ListsEachDueProductOnceWithItsRenewalPrice_ThenEnds()
    {
        var s = await SetUpAsync();
        var third = AddProduct(s.OrganizationId, ProductType.KSuite, "kSuite", activeUntil: _h.Clock.GetUtcNow().AddDays(20));

        var first = (await _h.Billing().ToPayAsync(s.Owner, s.OrganizationId, 2, null)).Value;
        var second = (await _h.Billing().ToPayAsync(s.Owner, s.OrganizationId, 2, first.Products.NextPageToken)).Value;

        Assert.Equal(2, first.Products.Items.Count);
        Assert.NotEmpty(first.Products.NextPageToken);
        var listed = first.Products.Items.Concat(second.Products.Items).ToList();
        Assert.Equal([s.Hosting, s.Domain, third], listed.Select(i => i.Product.Id));
        Assert.Equal([9_600L, 1_500L, 6_000L], listed.Select(i => i.Price.PriceMinor));
        Assert.All(listed, i => Assert.Equal("CHF", i.Price.Currency));
        Assert.Empty(second.Products.NextPageToken);
    }

    [Fact]
    [Trait("Rule", "API-4")]
    [Trait("Rule", "BIL-2")]
    public async Task ToPay_InPages_RefusesABadPageAndAMemberWithoutBillingRights()
    {
        var s = await SetUpAsync();
        var tech = await _h.JoinAsync(s.OrganizationId, s.Owner, "tech@example.com", MemberRights.Full with { Billing = false });

        ResultAssert.Fails(await _h.Billing().ToPayAsync(s.Owner, s.OrganizationId, -1, null), "INVALID_PAGE_SIZE");
        ResultAssert.Fails(await _h.Billing().ToPayAsync(s.Owner, s.OrganizationId, 2, "not-a-token"), "INVALID_PAGE_TOKEN");
        ResultAssert.Fails(await _h.Billing().ToPayAsync(tech, s.OrganizationId, 2, null), "BILLING_RIGHTS_REQUIRED");
    }

    [Theory]
    [Trait("Rule", "WAL-5")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cart 1")]
    public async Task Checkout_WithoutAValidRequestId_IsRefused_AndChargesNothing(string? requestId)
    {
        var s = await SetUpAsync();

        var refused = ResultAssert.Fails(await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Domain], requestId: requestId)), "INVALID_REQUEST_ID");

        Assert.Equal("request_id", Assert.Single(refused.Fields).Field);
        Assert.Equal(100_000, Balance(s.OrganizationId));
        Assert.Equal(0, Invoices());
    }

    [Fact]
    [Trait("Rule", "BIL-6")]
    public async Task Checkout_OfNothing_OfAnUnknownProduct_OrOfAnotherOrganizationsProduct_IsRefused_AndChargesNothing()
    {
        var s = await SetUpAsync();
        var stranger = await _h.UserAsync("stranger@example.com");
        var otherId = (await _h.Organizations().CreateAsync(stranger, Contacts.Company)).Value.Organization.Id;
        var theirs = AddProduct(otherId, ProductType.DomainName, "other.ch", activeUntil: _h.Clock.GetUtcNow().AddDays(10));

        var empty = ResultAssert.Fails(await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([])), "ITEMS_REQUIRED");
        Assert.Equal("product_ids", Assert.Single(empty.Fields).Field);
        ResultAssert.Fails(await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Domain, Guid.NewGuid()], requestId: "cart-2")), "PRODUCT_NOT_FOUND");
        ResultAssert.Fails(await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([theirs], requestId: "cart-3")), "PRODUCT_NOT_FOUND");
        ResultAssert.Fails(await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([])), "ITEMS_REQUIRED");

        Assert.Equal(100_000, Balance(s.OrganizationId));
        Assert.Equal(0, Invoices());
        Assert.Equal(ProductStatus.AwaitingPayment, Status(s.Hosting));
    }

    [Fact]
    [Trait("Rule", "BIL-6")]
    public async Task Checkout_OfATerminatedProduct_IsRefused_EvenBesideOneThatCouldBePaid()
    {
        var s = await SetUpAsync();
        Assert.True((await _h.Organizations().TerminateProductAsync(s.Owner, s.OrganizationId, s.Domain)).IsSuccess);

        ResultAssert.Fails(await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Hosting, s.Domain])), "PRODUCT_TERMINATED");

        Assert.Equal(100_000, Balance(s.OrganizationId));
        Assert.Equal(ProductStatus.AwaitingPayment, Status(s.Hosting));
        Assert.Equal(0, Invoices());
    }

    [Fact]
    [Trait("Rule", "BIL-6")]
    public async Task Checkout_OfProductsPricedInTwoCurrencies_IsRefused()
    {
        var s = await SetUpAsync();
        Assert.True((await _h.BillingAdmin().SetPriceAsync(new CatalogueEntry(ProductType.KSuite, 5_000, "EUR", 12, 810))).IsSuccess);
        var suite = AddProduct(s.OrganizationId, ProductType.KSuite, "kSuite", activeUntil: _h.Clock.GetUtcNow().AddDays(10));

        var refused = ResultAssert.Fails(await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Domain, suite])), "CURRENCY_MISMATCH");

        Assert.Equal("product_ids", Assert.Single(refused.Fields).Field);
        Assert.Equal(100_000, Balance(s.OrganizationId));
        Assert.True((await _h.Billing().CheckoutAsync(s.Owner, s.OrganizationId, Order([s.Domain], requestId: "cart-2"))).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "BIL-4")]
    [Trait("Rule", "BIL-2")]
    public async Task ProForma_ForAnUnknownAddress_OrByAMemberWithoutBillingRights_IsRefused()
    {
        var s = await SetUpAsync();
        var tech = await _h.JoinAsync(s.OrganizationId, s.Owner, "tech@example.com", MemberRights.Full with { Billing = false });

        ResultAssert.Fails(await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Domain], address: Guid.NewGuid())), "BILLING_ADDRESS_NOT_FOUND");
        ResultAssert.Fails(await _h.Billing().ProFormaAsync(tech, s.OrganizationId, Order([s.Domain])), "BILLING_RIGHTS_REQUIRED");
        Assert.True((await _h.Billing().ProFormaAsync(s.Owner, s.OrganizationId, Order([s.Domain]))).IsSuccess);
    }

    private static Cart CartOf(int lines, Guid? address = null) =>
        new(Enumerable.Range(1, lines).Select(i => new CartLine(ProductType.DomainName, $"meier{i}.ch", 12, false)).ToList(), address, null);

    [Fact]
    [Trait("Rule", "ORD-2")]
    public async Task ACart_HoldsAtMostTwentyLines()
    {
        var s = await SetUpAsync();

        var summary = (await _h.Orders().SummarizeAsync(s.Owner, s.OrganizationId, CartOf(Cart.MaxLines))).Value;
        var refused = ResultAssert.Fails(await _h.Orders().SummarizeAsync(s.Owner, s.OrganizationId, CartOf(Cart.MaxLines + 1)), "CART_TOO_LARGE");

        Assert.Equal(20, Cart.MaxLines);
        Assert.Equal(Cart.MaxLines, summary.Quote.Lines.Count);
        Assert.Equal("lines", Assert.Single(refused.Fields).Field);
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(s.Owner, s.OrganizationId, CartOf(Cart.MaxLines + 1), BillingService.WalletMethod, "order-1"), "CART_TOO_LARGE");
        Assert.Equal(100_000, Balance(s.OrganizationId));
    }

    [Fact]
    [Trait("Rule", "ORD-2")]
    public async Task ACartLine_OfAProductTypeNotSold_IsRefused_NamingTheLine()
    {
        var s = await SetUpAsync();
        var cart = new Cart([new CartLine(ProductType.DomainName, "meier.ch", 12, false), new CartLine((ProductType)999, "x", 12, false)], null, null);

        var refused = ResultAssert.Fails(await _h.Orders().SummarizeAsync(s.Owner, s.OrganizationId, cart), "UNKNOWN_PRODUCT_TYPE");

        Assert.Equal("lines[1].product_type", Assert.Single(refused.Fields).Field);
    }

    [Fact]
    [Trait("Rule", "ORD-3")]
    [Trait("Rule", "WAL-5")]
    public async Task Confirm_WithABadRequestId_AnUnknownMethod_OrAnUnknownAddress_IsRefused_AndWritesNothing()
    {
        var s = await SetUpAsync();
        var before = _h.Query(db => db.Set<Product>().Count());

        ResultAssert.Fails(await _h.Orders().ConfirmAsync(s.Owner, s.OrganizationId, CartOf(1), BillingService.WalletMethod, null), "INVALID_REQUEST_ID");
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(s.Owner, s.OrganizationId, CartOf(1), BillingService.WalletMethod, new string('a', 65)), "INVALID_REQUEST_ID");
        var method = ResultAssert.Fails(await _h.Orders().ConfirmAsync(s.Owner, s.OrganizationId, CartOf(1), "bitcoin", "order-1"), "UNKNOWN_PAYMENT_METHOD");
        Assert.Equal("payment_method", Assert.Single(method.Fields).Field);
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(s.Owner, s.OrganizationId, CartOf(1, Guid.NewGuid()), BillingService.WalletMethod, "order-2"), "BILLING_ADDRESS_NOT_FOUND");
        ResultAssert.Fails(await _h.Orders().SummarizeAsync(s.Owner, s.OrganizationId, CartOf(1, Guid.NewGuid())), "BILLING_ADDRESS_NOT_FOUND");

        Assert.Equal(before, _h.Query(db => db.Set<Product>().Count()));
        Assert.Equal(0, Invoices());
        Assert.Equal(100_000, Balance(s.OrganizationId));
        Assert.True((await _h.Orders().ConfirmAsync(s.Owner, s.OrganizationId, CartOf(1), BillingService.WalletMethod, new string('a', 64))).IsSuccess);
    }
}
