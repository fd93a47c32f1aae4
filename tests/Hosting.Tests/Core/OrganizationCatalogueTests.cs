using Hosting.Core.Organizations;
using Hosting.Core.Shared;

namespace Hosting.Tests.Core;

/// <summary>The default catalogue's prices per billing period, and how a price is looked up (ORG-1).</summary>
public sealed class OrganizationCatalogueTests
{
    private static readonly ProductType[] MonthlyTypes =
        [ProductType.WebHosting, ProductType.MailService, ProductType.KSuite, ProductType.SwissBackup, ProductType.CloudServer];

    [Theory]
    [Trait("Rule", "ORG-1")]
    // A month at a tenth of the year, two years at 1.9 years; domain names by the year only.
    [InlineData(ProductType.DomainName, new[] { 12, 24 }, new long[] { 1_500, 2_850 })]
    [InlineData(ProductType.WebHosting, new[] { 1, 12, 24 }, new long[] { 960, 9_600, 18_240 })]
    [InlineData(ProductType.MailService, new[] { 1, 12, 24 }, new long[] { 180, 1_800, 3_420 })]
    [InlineData(ProductType.KSuite, new[] { 1, 12, 24 }, new long[] { 600, 6_000, 11_400 })]
    [InlineData(ProductType.SwissBackup, new[] { 1, 12, 24 }, new long[] { 300, 3_000, 5_700 })]
    [InlineData(ProductType.CloudServer, new[] { 1, 12, 24 }, new long[] { 3_000, 30_000, 57_000 })]
    public async Task DefaultCatalogue_PricesEachPeriod_ShortestFirst_InFrancsWithSwissVat(ProductType type, int[] periods, long[] prices)
    {
        var offers = await FixedProductCatalogue.Default.OffersAsync(type, default);

        Assert.Equal(periods, offers.Select(o => o.PeriodMonths));
        Assert.Equal(prices, offers.Select(o => o.PriceMinor));
        Assert.All(offers, o => Assert.Equal(type, o.Type));
        Assert.All(offers, o => Assert.Equal("CHF", o.Currency));
        Assert.All(offers, o => Assert.Equal(810, o.VatRateBasisPoints));
    }

    [Fact]
    [Trait("Rule", "ORG-1")]
    public void DefaultCatalogue_HoldsSeventeenEntries_TwoForDomainNamesAndThreeForEveryOtherType()
    {
        var entries = FixedProductCatalogue.Default.Entries;

        Assert.Equal(17, entries.Count);
        Assert.Equal(2, entries.Count(e => e.Type == ProductType.DomainName));
        Assert.All(MonthlyTypes, t => Assert.Equal(3, entries.Count(e => e.Type == t)));
    }

    [Fact]
    [Trait("Rule", "ORG-1")]
    public async Task FindAsync_TakesTheYearlyPrice_ElseTheShortestPeriod_AndNothingForATypeNotSold()
    {
        var catalogue = new FixedProductCatalogue([
            new(ProductType.KSuite, 700, "CHF", 24, 810),
            new(ProductType.KSuite, 50, "CHF", 1, 810),
            new(ProductType.KSuite, 400, "CHF", 12, 810),
            new(ProductType.SwissBackup, 90, "CHF", 6, 810),
            new(ProductType.SwissBackup, 30, "CHF", 3, 810),
        ]);

        Assert.Equal(400, (await catalogue.FindAsync(ProductType.KSuite, default))!.PriceMinor);
        Assert.Equal(30, (await catalogue.FindAsync(ProductType.SwissBackup, default))!.PriceMinor);
        Assert.Null(await catalogue.FindAsync(ProductType.CloudServer, default));
        Assert.Equal(700, (await catalogue.FindAsync(ProductType.KSuite, 24, default))!.PriceMinor);
        Assert.Null(await catalogue.FindAsync(ProductType.KSuite, 6, default));
    }

    [Theory]
    [Trait("Rule", "ORG-1")]
    [InlineData(1, 960)]
    [InlineData(12, 9_600)]
    [InlineData(24, 18_240)]
    [InlineData(6, 9_600)]
    public async Task RenewalPrice_IsTheProductsOwnPeriod_ElseTheYearly(int periodMonths, long expected)
    {
        var product = Product.Order(Guid.NewGuid(), Guid.NewGuid(), ProductType.WebHosting, "www.example.com", Money.FromTrusted(1, "CHF"), DateTimeOffset.UnixEpoch, periodMonths).Value;

        var entry = await FixedProductCatalogue.Default.RenewalPriceAsync(product, default);

        Assert.Equal(expected, entry!.PriceMinor);
    }

    [Fact]
    [Trait("Rule", "ORG-1")]
    public async Task MemoizedCatalogue_ReadsEachTypeOnce_AndAnswersAsTheInnerOne()
    {
        var inner = new CountingCatalogue();
        var memoized = new MemoizedProductCatalogue(inner);

        var first = await memoized.OffersAsync(ProductType.WebHosting, default);
        var second = await memoized.OffersAsync(ProductType.WebHosting, default);
        await memoized.OffersAsync(ProductType.DomainName, default);

        Assert.Same(first, second);
        Assert.Equal(3, first.Count);
        Assert.Equal(2, inner.Reads);
    }

    private sealed class CountingCatalogue : IProductCatalogue
    {
        public int Reads { get; private set; }

        public Task<IReadOnlyList<CatalogueEntry>> OffersAsync(ProductType type, CancellationToken cancellationToken)
        {
            Reads++;
            return FixedProductCatalogue.Default.OffersAsync(type, cancellationToken);
        }
    }
}
