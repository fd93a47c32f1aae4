using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;

namespace Hosting.Tests.EndToEnd;

/// <summary>Products due, pro forma, checkout with a promotion code and a voucher, PDF, history: against the host as a process.</summary>
public sealed class BillingJourneyTests(RunningHost host) : IClassFixture<RunningHost>
{
    [Fact]
    [Trait("Rule", "BIL-3")]
    [Trait("Rule", "BIL-4")]
    [Trait("Rule", "BIL-5")]
    [Trait("Rule", "BIL-8")]
    [Trait("Rule", "BIL-9")]
    public async Task DueProducts_ProForma_CheckoutWithCodeAndVoucher_PdfAndHistory()
    {
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        var accounts = new AccountsService.AccountsServiceClient(host.Channel());
        var billing = new BillingService.BillingServiceClient(host.Channel());
        var support = new SupportService.SupportServiceClient(host.Channel());
        var staff = new Metadata { { "x-api-key", RunningHost.SupportKey } };

        var order = await organizations.OrderFirstProductAsync(new OrderFirstProductRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = HolderKind.Company, FirstName = "Ann", LastName = "Meier", CompanyName = "Journey Sàrl", Street = "Rue 1", PostalCode = "1200", City = "Genève", Country = "CH",
            },
            Login = "billing-journey@example.com",
            Password = Passwords.Good,
            ProductType = Hosting.Organizations.V1.ProductType.WebHosting,
            ProductDisplayName = "journey.ch",
        });
        var owner = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = "billing-journey@example.com", Password = Passwords.Good })).SessionToken);
        await host.ConfirmLoginAsync("billing-journey@example.com", owner);
        var hosting = order.Product.Name;

        // Support grants a voucher for the hosting and publishes a promotion code.
        await support.GrantVoucherAsync(new GrantVoucherRequest { Organization = order.Organization.Name, ProductType = (int)Hosting.Organizations.V1.ProductType.WebHosting }, staff);
        await support.CreatePromotionCodeAsync(new CreatePromotionCodeRequest
        {
            Code = "WELCOME", PercentOffBasisPoints = 2_000, Currency = "CHF", MaxRedemptions = 100,
            ValidFrom = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)), ValidUntil = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30)),
        }, staff);

        var toPay = await billing.ListToPayAsync(new ListToPayRequest { Parent = order.Organization.Name }, owner);
        Assert.Equal(hosting, Assert.Single(toPay.Items).Product);

        var proForma = await billing.CreateProFormaAsync(new CreateProFormaRequest { Parent = order.Organization.Name, Products = { hosting }, PromotionCode = "welcome" }, owner);
        Assert.StartsWith("PF-", proForma.Number, StringComparison.Ordinal);
        Assert.True(Assert.Single(proForma.Lines).VoucherOffered);
        Assert.Contains("no legal, tax or accounting value", proForma.Notice, StringComparison.Ordinal);

        // The voucher makes the first payment's line free; the code only reduces lines without a voucher.
        var wallet = new WalletService.WalletServiceClient(host.Channel());
        await wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = order.Organization.Name, Amount = new Hosting.Wallets.V1.Money { Minor = 20_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "fund" }, owner);
        var paid = (await billing.CheckoutAsync(new CheckoutRequest
        {
            Parent = order.Organization.Name, Products = { hosting }, PaymentMethod = "wallet", PromotionCode = "WELCOME", ActivateVouchersFor = { hosting }, RequestId = "journey-1",
        }, owner)).Invoice;
        Assert.Equal(0, paid.TotalMinor);
        Assert.Equal("voucher", Assert.Single(paid.Lines).DiscountSource);

        // Next year's renewal with the code: 20 % off.
        var renewal = (await billing.CheckoutAsync(new CheckoutRequest { Parent = order.Organization.Name, Products = { hosting }, PaymentMethod = "wallet", PromotionCode = "WELCOME", RequestId = "journey-2" }, owner)).Invoice;
        Assert.Equal(1_920, Assert.Single(renewal.Lines).DiscountMinor);
        Assert.Equal(7_680 + 622, renewal.TotalMinor);

        var pdf = (await billing.GetInvoicePdfAsync(new GetInvoicePdfRequest { Name = renewal.Name }, owner)).Pdf.ToByteArray();
        using (var document = UglyToad.PdfPig.PdfDocument.Open(pdf))
        {
            var text = string.Join(' ', document.GetPages().Select(p => p.Text));
            Assert.Contains(renewal.Number, text, StringComparison.Ordinal);
            Assert.Contains("83.02 CHF", text, StringComparison.Ordinal);
            Assert.Contains("Journey Sàrl", text, StringComparison.Ordinal);
        }

        var history = await billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = order.Organization.Name, PageSize = 1 }, owner);
        var older = await billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = order.Organization.Name, PageSize = 1, PageToken = history.NextPageToken }, owner);
        Assert.Equal([renewal.Name, paid.Name], history.Invoices.Concat(older.Invoices).Select(i => i.Name));
        Assert.Equal(long.Parse(paid.Number, System.Globalization.CultureInfo.InvariantCulture) + 1, long.Parse(renewal.Number, System.Globalization.CultureInfo.InvariantCulture));
    }
}
