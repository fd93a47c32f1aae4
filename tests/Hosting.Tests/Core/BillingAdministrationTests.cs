using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>Support's billing use cases: promotion codes (BIL-8), free vouchers (BIL-9) and catalogue prices.</summary>
public sealed class BillingAdministrationTests : IDisposable
{
    private static readonly DateTimeOffset From = AccountsHarness.Start;
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static PromotionCode Promotion(string code = "SPRING", int percent = 1_000, long amount = 0, long minimum = 0, string currency = "CHF", int days = 30, int redemptions = 1) =>
        PromotionCode.Create(Guid.NewGuid(), code, percent, amount, currency, From, From.AddDays(days), redemptions, [], minimum, false);

    // Built in the test, not at discovery: serializable rows keep each case its own test (and its own coverage).
    private static readonly Dictionary<string, Func<PromotionCode>> RefusedPromotionCases = new()
    {
        ["code of 2"] = () => Promotion(code: "AB"),
        ["code of 33"] = () => Promotion(code: new string('A', 33)),
        ["code with underscore"] = () => Promotion(code: "SPRING_26"),
        ["percent below 0"] = () => Promotion(percent: -1),
        ["percent above 100"] = () => Promotion(percent: 10_001),
        ["amount below 0"] = () => Promotion(percent: 0, amount: -1),
        ["amount above the maximum"] = () => Promotion(percent: 0, amount: BillingAdministration.MaxPriceMinor + 1),
        ["percent and amount"] = () => Promotion(percent: 1_000, amount: 500),
        ["neither percent nor amount"] = () => Promotion(percent: 0, amount: 0),
        ["minimum below 0"] = () => Promotion(minimum: -1),
        ["minimum above the maximum"] = () => Promotion(minimum: BillingAdministration.MaxPriceMinor + 1),
        ["no days"] = () => Promotion(days: 0),
        ["no redemptions"] = () => Promotion(redemptions: 0),
        ["unknown currency"] = () => Promotion(currency: "XYZ"),
    };

    [Theory]
    [Trait("Rule", "BIL-8")]
    [InlineData("INVALID_PROMOTION_CODE", "code", "code of 2", "A code has 3 to 32 letters, digits or dashes.")]
    [InlineData("INVALID_PROMOTION_CODE", "code", "code of 33", "A code has 3 to 32 letters, digits or dashes.")]
    [InlineData("INVALID_PROMOTION_CODE", "code", "code with underscore", "A code has 3 to 32 letters, digits or dashes.")]
    [InlineData("INVALID_DISCOUNT", "percent_off_basis_points", "percent below 0", "percent_off_basis_points is -1; a percent off is 1 to 10000 basis points.")]
    [InlineData("INVALID_DISCOUNT", "percent_off_basis_points", "percent above 100", "percent_off_basis_points is 10001; a percent off is 1 to 10000 basis points.")]
    [InlineData("INVALID_DISCOUNT", "amount_off_minor", "amount below 0", "amount_off_minor is negative (-1); an amount off is positive.")]
    [InlineData("INVALID_DISCOUNT", "amount_off_minor", "amount above the maximum", "amount_off_minor is above 1000000000000, the highest price.")]
    [InlineData("INVALID_DISCOUNT", "percent_off_basis_points", "percent and amount", "Give either a percent off or an amount off, not both and not neither.")]
    [InlineData("INVALID_DISCOUNT", "percent_off_basis_points", "neither percent nor amount", "Give either a percent off or an amount off, not both and not neither.")]
    [InlineData("INVALID_PROMOTION_TERMS", "minimum_order_minor", "minimum below 0", "minimum_order_minor must be 0 to 1000000000000.")]
    [InlineData("INVALID_PROMOTION_TERMS", "minimum_order_minor", "minimum above the maximum", "minimum_order_minor must be 0 to 1000000000000.")]
    [InlineData("INVALID_PROMOTION_TERMS", "valid_until", "no days", "The validity window must be non-empty and at least one redemption allowed.")]
    [InlineData("INVALID_PROMOTION_TERMS", "valid_until", "no redemptions", "The validity window must be non-empty and at least one redemption allowed.")]
    [InlineData("INVALID_CURRENCY", "currency", "unknown currency", null)]
    public async Task APromotionOutsideItsBounds_IsRefused_AndNothingIsStored(string reason, string field, string promotion, string? description)
    {
        var error = ResultAssert.Fails(await _h.BillingAdmin().CreatePromotionAsync(RefusedPromotionCases[promotion]()), reason);

        var violation = Assert.Single(error.Fields);
        Assert.Equal(field, violation.Field);
        if (description is not null)
        {
            Assert.Equal(description, violation.Description);
        }

        Assert.Equal(0, _h.Query(db => db.Set<PromotionCode>().Count()));
    }

    [Fact]
    [Trait("Rule", "BIL-8")]
    public async Task PromotionsAtTheirBounds_AreStored_AndACodeIsTakenOnce()
    {
        Assert.True((await _h.BillingAdmin().CreatePromotionAsync(Promotion(code: "ABC", percent: 10_000, minimum: BillingAdministration.MaxPriceMinor))).IsSuccess);
        Assert.True((await _h.BillingAdmin().CreatePromotionAsync(Promotion(code: new string('B', 31) + "-", percent: 0, amount: BillingAdministration.MaxPriceMinor, days: 1))).IsSuccess);
        Assert.True((await _h.BillingAdmin().CreatePromotionAsync(Promotion(code: "ONE", percent: 1))).IsSuccess);

        ResultAssert.Fails(await _h.BillingAdmin().CreatePromotionAsync(Promotion(code: "abc")), "PROMOTION_CODE_EXISTS");
        Assert.Equal(3, _h.Query(db => db.Set<PromotionCode>().Count()));
    }

    [Fact]
    [Trait("Rule", "BIL-9")]
    public async Task AVoucher_IsGrantedToAnExistingOrganization_ForAKnownProductType()
    {
        var owner = await _h.UserAsync("owner@example.com");
        var id = (await _h.Organizations().CreateAsync(owner, Contacts.Company)).Value.Organization.Id;

        ResultAssert.Fails(await _h.BillingAdmin().GrantVoucherAsync(Guid.NewGuid(), ProductType.DomainName), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.BillingAdmin().GrantVoucherAsync(id, (ProductType)99), "UNKNOWN_PRODUCT_TYPE");
        Assert.Equal(0, _h.Query(db => db.Set<FreeVoucher>().Count()));

        var voucher = (await _h.BillingAdmin().GrantVoucherAsync(id, ProductType.DomainName)).Value;

        var stored = _h.Query(db => db.Set<FreeVoucher>().Single());
        Assert.Equal((voucher.Id, id, ProductType.DomainName), (stored.Id, stored.OrganizationId, stored.ProductType));
    }

    [Theory]
    [Trait("Rule", "ORD-2")]
    [InlineData(-1, 12, 810, "price_minor", "price_minor must be 0 to 1000000000000 minor units.")]
    [InlineData(1_000_000_000_001, 12, 810, "price_minor", "price_minor must be 0 to 1000000000000 minor units.")]
    [InlineData(1_800, 0, 810, "period_months", "period_months must be 1 to 120.")]
    [InlineData(1_800, 121, 810, "period_months", "period_months must be 1 to 120.")]
    [InlineData(1_800, 12, -1, "vat_rate_basis_points", "vat_rate_basis_points must be 0 to 10000.")]
    [InlineData(1_800, 12, 10_001, "vat_rate_basis_points", "vat_rate_basis_points must be 0 to 10000.")]
    public async Task APriceOutsideItsBounds_IsRefused_NamingItsField(long price, int months, int vat, string field, string description)
    {
        var error = ResultAssert.Fails(await _h.BillingAdmin().SetPriceAsync(new CatalogueEntry(ProductType.DomainName, price, "CHF", months, vat)), "INVALID_PRICE");
        var violation = Assert.Single(error.Fields);
        Assert.Equal((field, description), (violation.Field, violation.Description));

        Assert.Equal(0, _h.Query(db => db.Set<CataloguePrice>().Count()));
    }

    [Fact]
    [Trait("Rule", "ORD-2")]
    public async Task TheFirstPriceSupportSets_CopiesTheDefaultCatalogue_AndLaterOnesReplaceTheirEntry()
    {
        var first = new CatalogueEntry(ProductType.DomainName, 2_000, "chf", 12, 810);
        Assert.True((await _h.BillingAdmin().SetPriceAsync(first)).IsSuccess);

        var prices = _h.Query(db => db.Set<CataloguePrice>().ToList());
        Assert.Equal(FixedProductCatalogue.Default.Entries.Count, prices.Count);
        Assert.Equal(first with { Currency = "CHF" }, Assert.Single(prices, p => p.Type == ProductType.DomainName && p.PeriodMonths == 12).Entry);

        var boundaries = new CatalogueEntry(ProductType.DomainName, 0, "CHF", 120, 10_000);
        Assert.True((await _h.BillingAdmin().SetPriceAsync(boundaries)).IsSuccess);
        Assert.True((await _h.BillingAdmin().SetPriceAsync(first with { PriceMinor = 2_200, PeriodMonths = 1, VatRateBasisPoints = 0 })).IsSuccess);

        prices = _h.Query(db => db.Set<CataloguePrice>().ToList());
        Assert.Equal(2_200, Assert.Single(prices, p => p.Type == ProductType.DomainName && p.PeriodMonths == 1).PriceMinor);
        Assert.Equal(boundaries, Assert.Single(prices, p => p.Type == ProductType.DomainName && p.PeriodMonths == 120).Entry);
        Assert.Equal(2_000, Assert.Single(prices, p => p.Type == ProductType.DomainName && p.PeriodMonths == 12).PriceMinor);
    }

    [Fact]
    [Trait("Rule", "ORD-2")]
    public async Task APriceSetAgainForItsTypeAndPeriod_ReplacesEveryFigureOfTheEntry_AndAnUnknownCurrencyIsRefused()
    {
        var first = new CatalogueEntry(ProductType.DomainName, 2_000, "CHF", 12, 810);
        Assert.True((await _h.BillingAdmin().SetPriceAsync(first)).IsSuccess);
        var count = _h.Query(db => db.Set<CataloguePrice>().Count());

        var replaced = first with { PriceMinor = 2_400, Currency = "EUR", VatRateBasisPoints = 770 };
        Assert.True((await _h.BillingAdmin().SetPriceAsync(replaced)).IsSuccess);
        ResultAssert.Fails(await _h.BillingAdmin().SetPriceAsync(first with { Currency = "XYZ" }), "INVALID_CURRENCY");

        var prices = _h.Query(db => db.Set<CataloguePrice>().ToList());
        Assert.Equal(count, prices.Count);
        Assert.Equal(replaced, Assert.Single(prices, p => p.Type == ProductType.DomainName && p.PeriodMonths == 12).Entry);
    }
}
