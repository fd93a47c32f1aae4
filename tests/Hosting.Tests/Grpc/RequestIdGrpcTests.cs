using Grpc.Core;
using Hosting.Billing.V1;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;
using Microsoft.Extensions.DependencyInjection;
using CoreProduct = Hosting.Core.Organizations.Product;
using CoreProductType = Hosting.Core.Organizations.ProductType;

namespace Hosting.Tests.Grpc;

/// <summary>A request id sent again with other arguments, on every RPC that moves money (WAL-6).</summary>
public sealed class RequestIdGrpcTests(HostFactory host) : IClassFixture<HostFactory>
{
    private BillingService.BillingServiceClient Billing => new(host.Channel());

    private WalletService.WalletServiceClient Wallets => new(host.Channel());

    private static Hosting.Wallets.V1.Money Chf(long minor) => new() { Minor = minor, Currency = "CHF" };

    private static ConfirmOrderRequest Order(string organization, string method, string requestId, string name) => new()
    {
        Parent = organization, PaymentMethod = method, RequestId = requestId,
        Lines = { new CartLine { ProductType = (int)Hosting.Organizations.V1.ProductType.DomainName, DisplayName = name, PeriodMonths = 12 } },
    };

    private string AddProduct(string organization)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
        var product = CoreProduct.Order(Guid.NewGuid(), Guid.Parse(organization.Split('/')[1]), CoreProductType.DomainName, "due.ch", Hosting.Core.Shared.Money.FromTrusted(0, "CHF"), host.Clock.GetUtcNow()).Value;
        db.Add(product);
        db.SaveChanges();
        return $"{organization}/products/{product.Id}";
    }

    [Fact]
    [Trait("Rule", "WAL-6")]
    public async Task EveryMoneyMovingRpc_RefusesItsRequestIdWithOtherArguments_AndMovesNothing()
    {
        var (owner, organization) = await LimitsTests.OwnerAsync(host, $"reuse-{Guid.NewGuid():N}@example.com");
        await Wallets.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(50_000), PaymentMethod = "sim-success", RequestId = "top" }, owner);
        await Wallets.CreateWithdrawalAsync(new CreateWithdrawalRequest { Parent = organization, Amount = Chf(1_000), Iban = "CH9300762011623852957", RequestId = "out" }, owner);
        var product = AddProduct(organization);
        await Billing.CheckoutAsync(new CheckoutRequest { Parent = organization, Products = { product }, PaymentMethod = "wallet", RequestId = "renew" }, owner);
        await Billing.ConfirmOrderAsync(Order(organization, "bank-transfer", "order", "first.ch"), owner);
        var unpaid = (await Billing.ConfirmOrderAsync(Order(organization, "bank-transfer", "order-2", "second.ch"), owner)).Invoice;
        var third = (await Billing.ConfirmOrderAsync(Order(organization, "bank-transfer", "order-3", "third.ch"), owner)).Invoice;
        var fourth = (await Billing.ConfirmOrderAsync(Order(organization, "bank-transfer", "order-4", "fourth.ch"), owner)).Invoice;
        await Billing.PayInvoiceAsync(new PayInvoiceRequest { Name = unpaid.Name, PaymentMethod = "wallet", RequestId = "pay" }, owner);
        await Wallets.PayFromWalletAsync(new PayFromWalletRequest { Parent = organization, Amount = Chf(third.TotalMinor), Reference = third.Name, RequestId = "debit" }, owner);
        var ledger = $"{organization}/wallets/CHF";
        var before = (await Wallets.ListLedgerTransactionsAsync(new ListLedgerTransactionsRequest { Parent = ledger, PageSize = 100 }, owner)).Transactions.Count;
        var invoicesBefore = (await Billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization, PageSize = 100 }, owner)).Invoices.Count;
        var balance = (await Wallets.ListWalletsAsync(new ListWalletsRequest { Parent = organization }, owner)).Wallets.Single().Balance.Minor;

        var reused = new Dictionary<string, Func<Task>>
        {
            ["TopUpWallet"] = () => Wallets.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(60_000), PaymentMethod = "sim-success", RequestId = "top" }, owner).ResponseAsync,
            ["CreateWithdrawal"] = () => Wallets.CreateWithdrawalAsync(new CreateWithdrawalRequest { Parent = organization, Amount = Chf(2_000), Iban = "CH9300762011623852957", RequestId = "out" }, owner).ResponseAsync,
            ["Checkout"] = () => Billing.CheckoutAsync(new CheckoutRequest { Parent = organization, Products = { product }, PaymentMethod = "sim-success", RequestId = "renew" }, owner).ResponseAsync,
            ["ConfirmOrder"] = () => Billing.ConfirmOrderAsync(Order(organization, "bank-transfer", "order", "other.ch"), owner).ResponseAsync,
            ["PayInvoice"] = () => Billing.PayInvoiceAsync(new PayInvoiceRequest { Name = unpaid.Name, PaymentMethod = "sim-success", RequestId = "pay" }, owner).ResponseAsync,
            ["PayFromWallet"] = () => Wallets.PayFromWalletAsync(new PayFromWalletRequest { Parent = organization, Amount = Chf(fourth.TotalMinor), Reference = fourth.Name, RequestId = "debit" }, owner).ResponseAsync,
        };
        foreach (var (rpc, call) in reused)
        {
            var e = await Assert.ThrowsAsync<RpcException>(call);
            Assert.True(e.StatusCode == StatusCode.AlreadyExists, $"{rpc}: {e.Status}");
            Assert.Equal("REQUEST_ID_REUSED", e.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>()!.Reason);
        }

        Assert.Equal(before, (await Wallets.ListLedgerTransactionsAsync(new ListLedgerTransactionsRequest { Parent = ledger, PageSize = 100 }, owner)).Transactions.Count);
        Assert.Equal(invoicesBefore, (await Billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization, PageSize = 100 }, owner)).Invoices.Count);
        Assert.Equal(balance, (await Wallets.ListWalletsAsync(new ListWalletsRequest { Parent = organization }, owner)).Wallets.Single().Balance.Minor);
    }

    [Fact]
    [Trait("Rule", "WAL-6")]
    public async Task ATopUpWhoseGatewayTimedOut_IsSettledByTheSameRequest_NotByAnotherMethod()
    {
        var (owner, organization) = await LimitsTests.OwnerAsync(host, $"top-timeout-{Guid.NewGuid():N}@example.com");
        TopUpWalletRequest TopUp(string method) => new() { Parent = organization, Amount = Chf(5_000), PaymentMethod = method, RequestId = "slow" };

        await RpcAssert.FailsAsync(() => Wallets.TopUpWalletAsync(TopUp("sim-timeout"), owner).ResponseAsync, StatusCode.Unavailable, "PAYMENT_GATEWAY_TIMEOUT");
        await RpcAssert.FailsAsync(() => Wallets.TopUpWalletAsync(TopUp("sim-success"), owner).ResponseAsync, StatusCode.AlreadyExists, "REQUEST_ID_REUSED");

        Assert.Empty((await Wallets.ListWalletsAsync(new ListWalletsRequest { Parent = organization }, owner)).Wallets);
    }
}
