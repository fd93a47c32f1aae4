using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using CoreMoney = Hosting.Core.Shared.Money;
using IPaymentGateway = Hosting.Core.Wallets.IPaymentGateway;
using SimulatedPaymentGateway = Hosting.Core.Wallets.SimulatedPaymentGateway;

namespace Hosting.Tests.Grpc;

/// <summary>External charges through the host: never kept when nothing is delivered, never switched to another method (WAL-6, WAL-7).</summary>
public sealed class ChargeSafetyGrpcTests : IDisposable
{
    private static readonly Metadata Support = new() { { "x-api-key", HostFactory.SupportKey } };
    private readonly HookGateway _gateway = new();
    private readonly HostFactory _host;

    public ChargeSafetyGrpcTests()
    {
        _host = new HostFactory
        {
            Override = services => services.Replace(ServiceDescriptor.Singleton<IPaymentGateway>(sp =>
            {
                _gateway.Inner = ActivatorUtilities.CreateInstance<SimulatedPaymentGateway>(sp);
                return _gateway;
            })),
        };
    }

    public void Dispose() => _host.Dispose();

    private BillingService.BillingServiceClient Billing => new(_host.Channel());

    private static ConfirmOrderRequest Order(string organization, string method, string requestId, string promotion = "") => new()
    {
        Parent = organization, PaymentMethod = method, RequestId = requestId, PromotionCode = promotion,
        Lines = { new Hosting.Billing.V1.CartLine { ProductType = (int)Hosting.Organizations.V1.ProductType.DomainName, DisplayName = "meier.ch", PeriodMonths = 12 } },
    };

    [Fact]
    [Trait("Rule", "WAL-7")]
    public async Task CardOrder_WhoseCodeIsUsedUpWhileTheCardIsCharged_IsRefundedThroughTheGateway()
    {
        var (owner, organization) = await LimitsTests.OwnerAsync(_host, "card-buyer@example.com");
        var (rival, rivalOrganization) = await LimitsTests.OwnerAsync(_host, "rival-buyer@example.com");
        await new WalletService.WalletServiceClient(_host.Channel()).TopUpWalletAsync(
            new TopUpWalletRequest { Parent = rivalOrganization, Amount = new Hosting.Wallets.V1.Money { Minor = 10_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "fund" }, rival);
        await new SupportService.SupportServiceClient(_host.Channel()).CreatePromotionCodeAsync(new CreatePromotionCodeRequest
        {
            Code = "ONLYONE", PercentOffBasisPoints = 1_000, Currency = "CHF", MaxRedemptions = 1,
            ValidFrom = Timestamp.FromDateTimeOffset(_host.Clock.GetUtcNow().AddDays(-1)), ValidUntil = Timestamp.FromDateTimeOffset(_host.Clock.GetUtcNow().AddDays(1)),
        }, Support);
        _gateway.DuringNextCharge = () => Billing.ConfirmOrderAsync(Order(rivalOrganization, "wallet", "rival", "ONLYONE"), rival).ResponseAsync;

        await RpcAssert.FailsAsync(() => Billing.ConfirmOrderAsync(Order(organization, "sim-success", "mine", "ONLYONE"), owner).ResponseAsync, StatusCode.FailedPrecondition, "PROMOTION_CODE_EXHAUSTED");

        Assert.Equal(1, _gateway.Refunds);
        Assert.Empty((await Billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization }, owner)).Invoices);
        Assert.Single((await Billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = rivalOrganization }, rival)).Invoices);
    }

    [Fact]
    [Trait("Rule", "WAL-6")]
    public async Task AfterAGatewayTimeout_TheSameRequestIdCannotPayByAnotherMethod()
    {
        var (owner, organization) = await LimitsTests.OwnerAsync(_host, "timeout-buyer@example.com");
        await new WalletService.WalletServiceClient(_host.Channel()).TopUpWalletAsync(
            new TopUpWalletRequest { Parent = organization, Amount = new Hosting.Wallets.V1.Money { Minor = 10_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "fund" }, owner);

        await RpcAssert.FailsAsync(() => Billing.ConfirmOrderAsync(Order(organization, "sim-timeout", "same"), owner).ResponseAsync, StatusCode.Unavailable, "PAYMENT_GATEWAY_TIMEOUT");
        await RpcAssert.FailsAsync(() => Billing.ConfirmOrderAsync(Order(organization, "wallet", "same"), owner).ResponseAsync, StatusCode.AlreadyExists, "REQUEST_ID_REUSED");
        await RpcAssert.FailsAsync(() => Billing.ConfirmOrderAsync(Order(organization, "sim-success", "same"), owner).ResponseAsync, StatusCode.AlreadyExists, "REQUEST_ID_REUSED");

        Assert.Empty((await Billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization }, owner)).Invoices);
        var wallets = await new WalletService.WalletServiceClient(_host.Channel()).ListWalletsAsync(new ListWalletsRequest { Parent = organization }, owner);
        Assert.Equal(10_000, wallets.Wallets.Single().Balance.Minor);
    }

    /// <summary>The simulated gateway, counting refunds and letting something happen while it charges.</summary>
    private sealed class HookGateway : IPaymentGateway
    {
        private int _refunds;

        public SimulatedPaymentGateway Inner { get; set; } = null!;

        public Func<Task>? DuringNextCharge { get; set; }

        public int Refunds => _refunds;

        public bool Knows(string paymentMethod) => Inner.Knows(paymentMethod);

        public async Task<Hosting.Core.Wallets.ChargeResult> ChargeAsync(string paymentMethod, CoreMoney amount, string idempotencyKey, CancellationToken cancellationToken)
        {
            if (DuringNextCharge is { } hook)
            {
                DuringNextCharge = null;
                await hook();
            }

            return await Inner.ChargeAsync(paymentMethod, amount, idempotencyKey, cancellationToken);
        }

        public Task RefundAsync(string paymentMethod, string chargeReference, CoreMoney amount, string idempotencyKey, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _refunds);
            return Inner.RefundAsync(paymentMethod, chargeReference, amount, idempotencyKey, cancellationToken);
        }
    }
}
