using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>The shared values every rule reads its input with: waits told to people, logins, money, currencies and list positions.</summary>
public sealed class SharedValueTests
{
    [Theory]
    [Trait("Rule", "API-3")]
    [InlineData(-5, "1 second")]
    [InlineData(0, "1 second")]
    [InlineData(1, "1 second")]
    [InlineData(1.2, "2 seconds")]
    [InlineData(119, "119 seconds")]
    [InlineData(120, "2 minutes")]
    [InlineData(121, "3 minutes")]
    [InlineData(7199, "120 minutes")]
    [InlineData(7200, "2 hours")]
    [InlineData(7201, "3 hours")]
    [InlineData(3600 * 25, "25 hours")]
    public void AWait_IsToldRoundedUpToWholeSecondsMinutesOrHours(double seconds, string told) =>
        Assert.Equal(told, Durations.Describe(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [Trait("Rule", "ACC-1")]
    [InlineData("ann @example.com")]
    [InlineData("ann\t@example.com")]
    [InlineData("ann\u0001@example.com")]
    [InlineData("Ann <ann@example.com>")]
    [InlineData("\"ann\"@example.com")]
    [InlineData("ann")]
    public void ALoginWithSpacesControlsADisplayNameOrQuotes_IsNotAnAddress(string login)
    {
        var error = ResultAssert.Fails(EmailAddress.Parse(login, "login"), "INVALID_EMAIL");

        Assert.Equal("login", Assert.Single(error.Fields).Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public void ALogin_IsTrimmedAndLowerCased_UpToItsMaximumLength_AndNoneOrBlankIsRequired()
    {
        var longest = new string('a', EmailAddress.MaxLength - "@example.com".Length) + "@example.com";

        Assert.Equal("ann@example.com", EmailAddress.Parse("  Ann@Example.COM ", "login").Value.Value);
        Assert.Equal(longest, EmailAddress.Parse(longest, "login").Value.Value);
        ResultAssert.Fails(EmailAddress.Parse("a" + longest, "login"), "INVALID_EMAIL");
        ResultAssert.Fails(EmailAddress.Parse(null, "login"), "EMAIL_REQUIRED");
        var required = ResultAssert.Fails(EmailAddress.Parse("   ", "login"), "EMAIL_REQUIRED");
        Assert.Equal("login", Assert.Single(required.Fields).Field);
        Assert.False(string.IsNullOrWhiteSpace(required.Message));
    }

    [Fact]
    [Trait("Rule", "WAL-4")]
    public void Sums_AreOfOneCurrency_AndNeverOverflow()
    {
        var chf = Money.FromTrusted(1_500, "CHF");

        Assert.Equal(Money.FromTrusted(2_000, "CHF"), chf.Plus(Money.FromTrusted(500, "CHF")));
        Assert.Throws<InvalidOperationException>(() => chf.Plus(Money.FromTrusted(500, "EUR")));
        Assert.Throws<OverflowException>(() => Money.FromTrusted(long.MaxValue, "CHF").Plus(Money.FromTrusted(1, "CHF")));
        var unknown = ResultAssert.Fails(Money.Of(100, "XYZ", "amount.currency"), "INVALID_CURRENCY");
        Assert.Equal("amount.currency", Assert.Single(unknown.Fields).Field);
        Assert.Contains("ISO 4217", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(Money.FromTrusted(100, "EUR"), Money.Of(100, " eur ", "amount.currency").Value);
    }

    [Fact]
    [Trait("Rule", "BIL-10")]
    public void TheTradedCurrencies_AreReadOnce_AndAnAmountOutsideThemIsRefusedNamingThem()
    {
        var options = new CurrencyOptions { Traded = " eur, chf ,,usd" };

        Assert.Same(options.Codes, options.Codes);
        Assert.Equal(["CHF", "EUR", "USD"], options.Codes.Order());
        Assert.True(options.Accept(100, "usd", "amount").IsSuccess);
        var refused = ResultAssert.Fails(options.Accept(100, "GBP", "amount"), "INVALID_CURRENCY");
        Assert.Equal("amount", Assert.Single(refused.Fields).Field);
        Assert.Contains("CHF and EUR and USD", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [Trait("Rule", "BIL-10")]
    [InlineData("")]
    [InlineData(" , ")]
    [InlineData("CHF,XYZ")]
    public void TradedCurrencies_ThatAreNoneOrNotIso4217_StopTheStart(string traded)
    {
        var e = Assert.Throws<InvalidOperationException>(() => new CurrencyOptions { Traded = traded }.Codes);

        Assert.Contains("Currencies:Traded", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [Trait("Rule", "API-4")]
    [InlineData(300)]
    [InlineData(2026)]
    [InlineData(9999)]
    public void APageToken_ReadsBackAsHandedOut_WhateverItsPadding(int year)
    {
        // Ticks of 17, 18 and 19 digits: tokens whose Base64 needs one, none and two padding characters.
        var token = new PageToken(new DateTimeOffset(year, 5, 6, 7, 8, 9, TimeSpan.Zero), Guid.NewGuid());

        Assert.Equal(token, PageToken.Decode(token.Encode()).Value);
    }

    [Fact]
    [Trait("Rule", "API-4")]
    public void ABadPageTokenOrSize_IsRefusedOnItsField_WithADescription()
    {
        var token = ResultAssert.Fails(PageToken.Decode("not-a-token"), "INVALID_PAGE_TOKEN");
        var size = ResultAssert.Fails(PageToken.Size(-1), "INVALID_PAGE_SIZE");

        Assert.Equal("page_token", Assert.Single(token.Fields).Field);
        Assert.Equal("page_size", Assert.Single(size.Fields).Field);
        Assert.False(string.IsNullOrWhiteSpace(token.Message));
        Assert.False(string.IsNullOrWhiteSpace(size.Message));
    }

    [Fact]
    [Trait("Rule", "API-4")]
    public void PagingInMemory_WalksItemsOfTheSameTimeByIdOnce_WithoutGapOrRepeat()
    {
        var at = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var items = Enumerable.Range(0, 7).Select(i => new PageToken(i < 5 ? at : at.AddSeconds(i), Guid.NewGuid())).ToList();
        var expected = items.OrderBy(p => p.Time).ThenBy(p => p.Id).ToList();

        var walked = new List<PageToken>();
        string? next = null;
        do
        {
            var page = Pager.Apply(items.AsEnumerable().Reverse(), p => p, 2, next).Value;
            walked.AddRange(page.Items);
            next = page.NextPageToken;
        }
        while (next.Length > 0);

        Assert.Equal(expected, walked);
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public void TheValueOfAFailure_IsABugInTheCaller_NamedByItsReason()
    {
        Result<int> failed = DomainError.Invalid("field", "SOME_REASON", "Why.");

        var e = Assert.Throws<InvalidOperationException>(() => failed.Value);

        Assert.Contains("SOME_REASON", e.Message, StringComparison.Ordinal);
    }
}
