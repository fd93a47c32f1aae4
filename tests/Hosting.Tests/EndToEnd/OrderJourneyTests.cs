using Google.Rpc;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;

namespace Hosting.Tests.EndToEnd;

/// <summary>A webmaster orders into three client organizations, against the host as a process (ORD-1..ORD-4, ORG-9).</summary>
public sealed class OrderJourneyTests(RunningHost host) : IClassFixture<RunningHost>
{
    [Fact]
    [Trait("Rule", "ORD-1")]
    [Trait("Rule", "ORD-3")]
    [Trait("Rule", "ORG-9")]
    [Trait("Rule", "BIL-5")]
    public async Task Webmaster_OrdersIntoThreeClients_OneByBankTransfer_WhichBlocksDeletionUntilPaidAndTerminated()
    {
        var accounts = new AccountsService.AccountsServiceClient(host.Channel());
        var organizations = new OrganizationsService.OrganizationsServiceClient(host.Channel());
        var billing = new BillingService.BillingServiceClient(host.Channel());
        var wallet = new WalletService.WalletServiceClient(host.Channel());
        const string login = "webmaster-journey@example.com";
        await accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
        var webmaster = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken);
        await host.ConfirmLoginAsync(login, webmaster);

        var clients = new List<string>();
        foreach (var client in new[] { "Bakery Rossi", "Garage Keller", "Atelier Blanc" })
        {
            clients.Add((await organizations.CreateOrganizationAsync(new CreateOrganizationRequest
            {
                ContactDetails = new Hosting.Organizations.V1.ContactDetails
                {
                    Kind = HolderKind.Company, FirstName = "Web", LastName = "Master", CompanyName = client, Street = "Rue 1", PostalCode = "1200", City = "Genève", Country = "CH",
                },
            }, webmaster)).Organization.Name);
        }

        ConfirmOrderRequest Order(string organization, string name, string method) => new()
        {
            Parent = organization, PaymentMethod = method, RequestId = $"order-{name}",
            Lines =
            {
                new Hosting.Billing.V1.CartLine { ProductType = (int)Hosting.Organizations.V1.ProductType.DomainName, DisplayName = $"{name}.ch", PeriodMonths = 12 },
                new Hosting.Billing.V1.CartLine { ProductType = (int)Hosting.Organizations.V1.ProductType.WebHosting, DisplayName = $"www.{name}.ch", PeriodMonths = 1 },
            },
        };

        await wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = clients[0], Amount = new Hosting.Wallets.V1.Money { Minor = 10_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "fund" }, webmaster);
        var byWallet = await billing.ConfirmOrderAsync(Order(clients[0], "rossi", "wallet"), webmaster);
        var byCard = await billing.ConfirmOrderAsync(Order(clients[1], "keller", "sim-success"), webmaster);
        var byTransfer = await billing.ConfirmOrderAsync(Order(clients[2], "blanc", "bank-transfer"), webmaster);

        Assert.Equal(Hosting.Billing.V1.InvoiceState.Paid, byWallet.Invoice.State);
        Assert.Equal(Hosting.Billing.V1.InvoiceState.Paid, byCard.Invoice.State);
        Assert.Equal(Hosting.Billing.V1.InvoiceState.Unpaid, byTransfer.Invoice.State);
        foreach (var (placed, status) in new[] { (byWallet, ProductStatus.Active), (byCard, ProductStatus.Active), (byTransfer, ProductStatus.AwaitingPayment) })
        {
            var products = (await organizations.ListProductsAsync(new ListProductsRequest { Parent = placed.Invoice.Name.Split("/invoices/")[0] }, webmaster)).Products;
            Assert.Equal(placed.Products.Order(), products.Select(p => p.Name).Order());
            Assert.All(products, p => Assert.Equal(status, p.Status));
        }

        // Deletion of the client that owes its invoice is refused, naming the invoice and the pending products.
        var refused = await RpcAssert.FailsAsync(
            () => organizations.DeleteOrganizationAsync(new DeleteOrganizationRequest { Name = clients[2] }, webmaster).ResponseAsync,
            StatusCode.FailedPrecondition, "ORGANIZATION_NOT_DELETABLE");
        var violations = refused.GetDetail<PreconditionFailure>()!.Violations;
        Assert.Contains(violations, v => v.Type == "UNPAID_INVOICE" && v.Subject == byTransfer.Invoice.Name);
        Assert.Equal(2, violations.Count(v => v.Type == "ACTIVE_PRODUCT"));

        var paid = await billing.PayInvoiceAsync(new PayInvoiceRequest { Name = byTransfer.Invoice.Name, PaymentMethod = "sim-success", RequestId = "settle-blanc" }, webmaster);
        Assert.Equal(Hosting.Billing.V1.InvoiceState.Paid, paid.Invoice.State);
        foreach (var product in byTransfer.Products)
        {
            await organizations.TerminateProductAsync(new TerminateProductRequest { Name = product }, webmaster);
        }

        await organizations.DeleteOrganizationAsync(new DeleteOrganizationRequest { Name = clients[2] }, webmaster);
        var remaining = (await organizations.ListOrganizationsAsync(new ListOrganizationsRequest(), webmaster)).Organizations.Select(o => o.Name).ToList();
        Assert.Equal(clients.Take(2).Order(), remaining.Order());
    }
}
