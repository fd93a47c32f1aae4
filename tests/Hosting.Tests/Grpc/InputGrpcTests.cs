using Google.Rpc;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;

namespace Hosting.Tests.Grpc;

/// <summary>
/// What a client in another language meets when its input is wrong: the reason, the field path of
/// the request it sent, a message that says what to do, and nothing changed.
/// </summary>
public sealed class InputGrpcTests(HostFactory host) : IClassFixture<HostFactory>
{
    private static readonly Metadata Support = new() { { "x-api-key", HostFactory.SupportKey } };

    private OrganizationsService.OrganizationsServiceClient Organizations => new(host.Channel());

    private BillingService.BillingServiceClient Billing => new(host.Channel());

    private SupportService.SupportServiceClient SupportClient => new(host.Channel());

    private WalletService.WalletServiceClient Wallets => new(host.Channel());

    private static Hosting.Organizations.V1.ContactDetails Contact(string country = "CH") => new()
    {
        Kind = HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = country,
    };

    private async Task<(Metadata Auth, string Login, string Organization)> OwnerAsync()
    {
        var login = $"input-{Guid.NewGuid():N}@example.com";
        var auth = await host.SignedUpAsync(login);
        var organization = (await Organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, auth)).Organization.Name;
        return (auth, login, organization);
    }

    private Task TopUp(string organization, Metadata auth, string currency, string requestId) =>
        Wallets.TopUpWalletAsync(new TopUpWalletRequest
        {
            Parent = organization, Amount = new Hosting.Wallets.V1.Money { Minor = 5_000, Currency = currency }, PaymentMethod = "sim-success", RequestId = requestId,
        }, auth).ResponseAsync;

    [Theory]
    [InlineData("XQZ")]
    [InlineData("GBP")]
    [InlineData("chf1")]
    [Trait("Rule", "BIL-10")]
    public async Task ATopUpInACurrencyTheProviderDoesNotTrade_IsRefusedAndOpensNoWallet(string currency)
    {
        var (auth, _, organization) = await OwnerAsync();

        var status = await RpcAssert.FailsAsync(() => TopUp(organization, auth, currency, "r1"), StatusCode.InvalidArgument, "INVALID_CURRENCY");

        Assert.Equal("amount.currency", status.ViolatedField());
        Assert.Empty((await Wallets.ListWalletsAsync(new ListWalletsRequest { Parent = organization }, auth)).Wallets);
        await TopUp(organization, auth, "usd", "r2");
        Assert.Equal("USD", Assert.Single((await Wallets.ListWalletsAsync(new ListWalletsRequest { Parent = organization }, auth)).Wallets).Balance.Currency);
    }

    [Fact]
    [Trait("Rule", "BIL-10")]
    public async Task ACataloguePriceOrPromotionInACurrencyOutsideIso4217_IsRefusedOnItsField()
    {
        var price = await RpcAssert.FailsAsync(
            () => SupportClient.SetCataloguePriceAsync(new SetCataloguePriceRequest { ProductType = 1, PriceMinor = 100, Currency = "ZZZ", PeriodMonths = 12, VatRateBasisPoints = 810 }, Support).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_CURRENCY");
        var promotion = await RpcAssert.FailsAsync(
            () => SupportClient.CreatePromotionCodeAsync(Promotion("CUR-1", amountOff: 100, currency: "ABC"), Support).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_CURRENCY");

        Assert.Equal("currency", price.ViolatedField());
        Assert.Equal("currency", promotion.ViolatedField());
    }

    [Fact]
    [Trait("Rule", "BIL-10")]
    [Trait("Rule", "API-3")]
    public async Task AmountsBeyondTheHighestPrice_AreRefusedWhereTheyEnter_OnTheFieldSent()
    {
        var price = await RpcAssert.FailsAsync(
            () => SupportClient.SetCataloguePriceAsync(new SetCataloguePriceRequest { ProductType = 1, PriceMinor = long.MaxValue, Currency = "CHF", PeriodMonths = 12, VatRateBasisPoints = 810 }, Support).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_PRICE");
        var vat = await RpcAssert.FailsAsync(
            () => SupportClient.SetCataloguePriceAsync(new SetCataloguePriceRequest { ProductType = 1, PriceMinor = 100, Currency = "CHF", PeriodMonths = 12, VatRateBasisPoints = 10_001 }, Support).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_PRICE");
        var amountOff = await RpcAssert.FailsAsync(
            () => SupportClient.CreatePromotionCodeAsync(Promotion("BIG-1", amountOff: long.MaxValue), Support).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_DISCOUNT");
        var minimum = await RpcAssert.FailsAsync(
            () => SupportClient.CreatePromotionCodeAsync(Promotion("BIG-2", amountOff: 100, minimumOrder: long.MaxValue), Support).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_PROMOTION_TERMS");

        Assert.Equal("price_minor", price.ViolatedField());
        Assert.Equal("vat_rate_basis_points", vat.ViolatedField());
        Assert.Equal("amount_off_minor", amountOff.ViolatedField());
        Assert.Equal("minimum_order_minor", minimum.ViolatedField());
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task ANegativeAmountOff_NamesItsFieldAndSaysItIsNegative()
    {
        var status = await RpcAssert.FailsAsync(
            () => SupportClient.CreatePromotionCodeAsync(Promotion("NEG-1", amountOff: -5), Support).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_DISCOUNT");

        Assert.Equal("amount_off_minor", status.ViolatedField());
        Assert.Contains("negative", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "BIL-10")]
    public async Task TheHighestPrices_WithFullVatAndTheLargestCart_AreQuotedWithoutOverflow()
    {
        var (auth, _, organization) = await OwnerAsync();
        foreach (var type in new[] { 1, 2, 3, 4 })
        {
            await SupportClient.SetCataloguePriceAsync(new SetCataloguePriceRequest
            {
                ProductType = type, PriceMinor = Hosting.Core.Billing.BillingAdministration.MaxPriceMinor, Currency = "CHF", PeriodMonths = 12, VatRateBasisPoints = 10_000,
            }, Support);
        }

        var request = new GetCartSummaryRequest { Parent = organization };
        request.Lines.AddRange(Enumerable.Range(0, 20).Select(i => new CartLine { ProductType = 1 + (i % 4), DisplayName = $"item{i}", PeriodMonths = 12 }));
        var summary = await Billing.GetCartSummaryAsync(request, auth);

        Assert.Equal(20 * 2 * Hosting.Core.Billing.BillingAdministration.MaxPriceMinor, summary.TotalMinor);
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task AnUnknownProductType_IsNamedByTheRequestField()
    {
        var (_, _, organization) = await OwnerAsync();

        var status = await RpcAssert.FailsAsync(
            () => SupportClient.GrantVoucherAsync(new GrantVoucherRequest { Organization = organization, ProductType = 99 }, Support).ResponseAsync,
            StatusCode.InvalidArgument, "UNKNOWN_PRODUCT_TYPE");

        Assert.Equal("product_type", status.ViolatedField());
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("QZ")]
    [InlineData("EU")]
    [Trait("Rule", "ORG-11")]
    public async Task ACountryCodeThatIsNotAssignedInIso3166_IsRefused(string country)
    {
        var auth = await host.SignedUpAsync($"country-{Guid.NewGuid():N}@example.com");
        var (owner, _, organization) = await OwnerAsync();

        var created = await RpcAssert.FailsAsync(
            () => Organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact(country) }, auth).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_COUNTRY");
        var address = await RpcAssert.FailsAsync(
            () => Billing.CreateBillingAddressAsync(new CreateBillingAddressRequest
            {
                Parent = organization, BillingAddress = new Hosting.Billing.V1.BillingAddress { Recipient = "A", Street = "B 1", PostalCode = "1", City = "C", Country = country },
            }, owner).ResponseAsync,
            StatusCode.InvalidArgument, "INVALID_COUNTRY");

        Assert.Equal("contact_details.country", created.ViolatedField());
        Assert.Equal("billing_address.country", address.ViolatedField());
        Assert.Empty((await Organizations.ListOrganizationsAsync(new ListOrganizationsRequest(), auth)).Organizations);
    }

    [Fact]
    [Trait("Rule", "API-3")]
    public async Task ATooLongStreet_IsReportedAsTooLong_OnTheRequestFieldPath()
    {
        var (owner, _, organization) = await OwnerAsync();

        var status = await RpcAssert.FailsAsync(
            () => Billing.CreateBillingAddressAsync(new CreateBillingAddressRequest
            {
                Parent = organization, BillingAddress = new Hosting.Billing.V1.BillingAddress { Recipient = "A", Street = new string('s', 201), PostalCode = "1", City = "C", Country = "CH" },
            }, owner).ResponseAsync,
            StatusCode.InvalidArgument, "FIELD_TOO_LONG");
        var missing = await RpcAssert.FailsAsync(
            () => Billing.CreateBillingAddressAsync(new CreateBillingAddressRequest
            {
                Parent = organization, BillingAddress = new Hosting.Billing.V1.BillingAddress { Recipient = "A", Street = " ", PostalCode = "1", City = "C", Country = "CH" },
            }, owner).ResponseAsync,
            StatusCode.InvalidArgument, "FIELD_REQUIRED");

        Assert.Equal("billing_address.street", status.ViolatedField());
        Assert.Contains("200", status.Message + status.GetDetail<BadRequest>()!.FieldViolations[0].Description, StringComparison.Ordinal);
        Assert.Equal("billing_address.street", missing.ViolatedField());
        Assert.Single((await Billing.ListBillingAddressesAsync(new ListBillingAddressesRequest { Parent = organization }, owner)).BillingAddresses);
    }

    [Fact]
    [Trait("Rule", "ACC-1")]
    public async Task AnEmptySignUpPassword_IsReportedAsRequired()
    {
        var status = await RpcAssert.FailsAsync(
            () => host.Accounts().SignUpAsync(new SignUpRequest { Login = $"empty-{Guid.NewGuid():N}@example.com", Password = string.Empty }).ResponseAsync,
            StatusCode.InvalidArgument, "PASSWORD_REQUIRED");

        Assert.Equal("password", status.ViolatedField());
    }

    [Fact]
    [Trait("Rule", "API-2")]
    public async Task AnAuthorizationHeaderWithoutBearer_SaysWhatFormItMustHave()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Organizations.ListOrganizationsAsync(
            new ListOrganizationsRequest(), new Metadata { { "authorization", "Token abc" } }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Contains("Bearer", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ACC-4")]
    public async Task TheSignInThrottle_SaysHowLongToWait()
    {
        var login = $"throttle-{Guid.NewGuid():N}@example.com";
        await host.SignedUpAsync(login);
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => host.Accounts().SignInAsync(new SignInRequest { Login = login, Password = "not the password" }).ResponseAsync);
        }

        var status = await RpcAssert.FailsAsync(
            () => host.Accounts().SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }).ResponseAsync,
            StatusCode.ResourceExhausted, "SIGN_IN_THROTTLED");

        var wait = status.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan();
        Assert.Contains($"try again in {Hosting.Core.Shared.Durations.Describe(wait)}", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "BIL-2")]
    public async Task ListInvoicesWithoutBillingRights_SpeaksOfInvoices()
    {
        var (owner, _, organization) = await OwnerAsync();
        var memberLogin = $"member-{Guid.NewGuid():N}@example.com";
        var member = await host.SignedUpAsync(memberLogin);
        var invitation = await Organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = memberLogin, Rights = new MemberRights { Administrator = true } }, owner);
        await Organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Invitation.Name }, member);

        var status = await RpcAssert.FailsAsync(
            () => Billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization }, member).ResponseAsync,
            StatusCode.PermissionDenied, "BILLING_RIGHTS_REQUIRED");

        Assert.Contains("invoices", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "ORG-2")]
    public async Task EveryOrganizationAnswer_NamesTheCallersOwnLogin()
    {
        var (owner, login, organization) = await OwnerAsync();
        var second = (await Organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact() }, owner)).Organization;
        var memberLogin = $"joiner-{Guid.NewGuid():N}@example.com";
        var member = await host.SignedUpAsync(memberLogin);
        var invitation = await Organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = memberLogin, Rights = new MemberRights { Administrator = true } }, owner);

        var fetched = (await Organizations.GetOrganizationAsync(new GetOrganizationRequest { Name = organization }, owner)).Organization;
        var switched = (await Organizations.SwitchOrganizationAsync(new SwitchOrganizationRequest { Name = organization }, owner)).Organization;
        var listed = (await Organizations.ListOrganizationsAsync(new ListOrganizationsRequest(), owner)).Organizations;
        var update = new Organization { Name = organization, ContactDetails = new Hosting.Organizations.V1.ContactDetails { City = "Lausanne" }, Etag = fetched.Etag };
        var updated = (await Organizations.UpdateOrganizationAsync(new UpdateOrganizationRequest { Organization = update, UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "contact_details.city" } } }, owner)).Organization;
        var accepted = (await Organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Invitation.Name }, member)).Organization;

        Assert.Equal(login, second.Me.Login);
        Assert.Equal(login, fetched.Me.Login);
        Assert.Equal(login, switched.Me.Login);
        Assert.All(listed, o => Assert.Equal(login, o.Me.Login));
        Assert.Equal(login, updated.Me.Login);
        Assert.Equal(memberLogin, accepted.Me.Login);
    }

    private static CreatePromotionCodeRequest Promotion(string code, long amountOff, string currency = "CHF", long minimumOrder = 0) => new()
    {
        Code = code,
        AmountOffMinor = amountOff,
        Currency = currency,
        ValidFrom = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(AccountsHarness.Start),
        ValidUntil = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(AccountsHarness.Start.AddDays(30)),
        MaxRedemptions = 5,
        MinimumOrderMinor = minimumOrder,
    };
}
