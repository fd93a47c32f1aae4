using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>What "to pay" lists and in which order, what a pro forma prints, and what a checkout's request id stands for.</summary>
public sealed class CheckoutRequestTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private DateTimeOffset Horizon => _h.Clock.GetUtcNow() + _h.BillingOptions.ToPayHorizon;

    private static CheckoutOrder Order(Guid[] products, string requestId, Guid? address = null, string method = BillingService.WalletMethod, string? promotion = null, Guid[]? vouchers = null) =>
        BillingWorld.Checkout(products, requestId, address, method, promotion, vouchers);

    [Fact]
    [Trait("Rule", "WAL-6")]
    [Trait("Rule", "BIL-6")]
    public async Task ACheckoutRequestIdSentAgain_ReplaysItsInvoice_InAnyOrderOfProducts_ButNamesNoOtherAddressMethodCodeOrVoucher()
    {
        var w = await BillingWorld.CreateAsync(_h, walletBalance: 100_000);
        var hosting = _h.AddProduct(w.OrganizationId, ProductType.WebHosting, "www.meier.ch", null).Id;
        var domain = _h.AddProduct(w.OrganizationId, ProductType.DomainName, "meier.ch", null).Id;
        var address = (await _h.Billing().AddAddressAsync(w.Owner, w.OrganizationId, "Accounts payable", "Quai 2", "1201", "Genève", "CH")).Value.Id;
        Assert.True((await _h.BillingAdmin().CreatePromotionAsync(PromotionCode.Create(_h.Random.NewId(), "SPRING", 1_000, 0, "CHF", AccountsHarness.Start, AccountsHarness.Start.AddDays(30), 5, [], 0, false))).IsSuccess);

        var first = (await _h.Billing().CheckoutAsync(w.Owner, w.OrganizationId, Order([hosting, domain], "r1"))).Value;
        var again = await _h.Billing().CheckoutAsync(w.Owner, w.OrganizationId, Order([domain, hosting], "r1"));

        Assert.Equal(first.Id, again.Value.Id);
        foreach (var other in new[]
        {
            Order([hosting, domain], "r1", address: address),
            Order([hosting, domain], "r1", method: PaymentCollector.BankTransferMethod),
            Order([hosting, domain], "r1", promotion: "SPRING"),
            Order([hosting, domain], "r1", vouchers: [domain]),
            Order([hosting], "r1"),
        })
        {
            ResultAssert.Fails(await _h.Billing().CheckoutAsync(w.Owner, w.OrganizationId, other), "REQUEST_ID_REUSED");
        }

        Assert.Single(_h.Query(db => db.Set<Invoice>().ToList()));
    }

    [Fact]
    [Trait("Rule", "BIL-3")]
    public async Task ToPay_ListsWhatAwaitsPaymentFirst_ThenRenewalsSoonestFirst_UpToTheHorizonItself()
    {
        var w = await BillingWorld.CreateAsync(_h);
        var atHorizon = _h.AddProduct(w.OrganizationId, ProductType.DomainName, "late.ch", Horizon).Id;
        _ = _h.AddProduct(w.OrganizationId, ProductType.DomainName, "beyond.ch", Horizon + TimeSpan.FromTicks(1));
        var soon = _h.AddProduct(w.OrganizationId, ProductType.DomainName, "soon.ch", _h.Clock.GetUtcNow().AddDays(5)).Id;
        var awaiting = _h.AddProduct(w.OrganizationId, ProductType.WebHosting, "www.new.ch", null).Id;

        var listed = (await _h.Billing().ToPayAsync(w.Owner, w.OrganizationId)).Value;
        var paged = (await _h.Billing().ToPayAsync(w.Owner, w.OrganizationId, 10, null)).Value.Products.Items;

        Assert.Equal([awaiting, soon, atHorizon], listed.Select(i => i.Product.Id));
        Assert.Equal([awaiting, soon, atHorizon], paged.Select(i => i.Product.Id));
    }

    [Fact]
    [Trait("Rule", "BIL-3")]
    [Trait("Rule", "ORD-4")]
    public async Task ToPay_ShowsTheUnpaidInvoicesOnItsFirstPageOnly()
    {
        var w = await BillingWorld.CreateAsync(_h);
        var unpaid = await w.OrderAsync(paid: false);
        _h.AddProduct(w.OrganizationId, ProductType.DomainName, "first.ch", _h.Clock.GetUtcNow().AddDays(1));
        _h.AddProduct(w.OrganizationId, ProductType.DomainName, "second.ch", _h.Clock.GetUtcNow().AddDays(2));

        var first = (await _h.Billing().ToPayAsync(w.Owner, w.OrganizationId, 1, null)).Value;
        var second = (await _h.Billing().ToPayAsync(w.Owner, w.OrganizationId, 1, first.Products.NextPageToken)).Value;

        Assert.Equal([unpaid.Id], first.UnpaidInvoices.Select(i => i.Id));
        Assert.Single(second.Products.Items);
        Assert.Empty(second.UnpaidInvoices);
    }

    [Fact]
    [Trait("Rule", "BIL-4")]
    [Trait("Rule", "BIL-8")]
    public async Task AProForma_PrintsEachLineNetOfItsDiscount()
    {
        var w = await BillingWorld.CreateAsync(_h);
        var hosting = _h.AddProduct(w.OrganizationId, ProductType.WebHosting, "www.meier.ch", null).Id;
        Assert.True((await _h.BillingAdmin().CreatePromotionAsync(PromotionCode.Create(_h.Random.NewId(), "HALF", 5_000, 0, "CHF", AccountsHarness.Start, AccountsHarness.Start.AddDays(30), 5, [], 0, false))).IsSuccess);

        var proForma = (await _h.Billing().ProFormaAsync(w.Owner, w.OrganizationId, Order([hosting], "p1", promotion: "HALF"))).Value;

        var line = Assert.Single(proForma.Quote.Lines);
        Assert.True(line.DiscountMinor > 0);
        var printed = Assert.Single(proForma.Document.Lines);
        Assert.Equal(line.NetMinor - line.DiscountMinor, printed.NetMinor);
        Assert.Equal((line.VatMinor, line.TotalMinor), (printed.VatMinor, printed.TotalMinor));
    }
}
