using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>External charges are made once per attempt, outside retried units of work, and given back when nothing is delivered (WAL-6, WAL-7).</summary>
public sealed class ExternalChargeTests : IDisposable
{
    private readonly AccountsHarness _h = new();
    private readonly RecordingGateway _gateway;

    public ExternalChargeTests()
    {
        _gateway = new RecordingGateway(new SimulatedPaymentGateway(_h.Random));
        _h.CustomGateway = _gateway;
    }

    public void Dispose() => _h.Dispose();

    private static readonly PayoutDestination Bank = PayoutDestination.Iban("CH93 0076 2011 6238 5295 7", "iban").Value;

    private static readonly Cart Domain = new([new CartLine(ProductType.DomainName, "meier.ch", 12, false)], null, null);

    private ChargeAttemptState AttemptState(string requestId) =>
        _h.Query(db => db.Set<ChargeAttempt>().ToList()).Single(a => a.Key.EndsWith(":" + requestId, StringComparison.Ordinal)).State;

    private ChargeAttempt OrderAttempt() => _h.Query(db => db.Set<ChargeAttempt>().Single(a => a.Purpose == "order"));

    private int Products(Guid organizationId) => _h.Query(db => db.Set<Product>().Count(p => p.OrganizationId == organizationId));

    [Fact]
    [Trait("Rule", "WAL-7")]
    public async Task CardOrder_WhoseCodeIsUsedUpWhileTheCardIsCharged_IsRefunded_AndDeliversNothing()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var (rival, rivalId) = await _h.OrganizationAsync("rival@example.com");
        await _h.Wallets().TopUpAsync(rival, rivalId, Money.FromTrusted(10_000, "CHF"), SimulatedPaymentGateway.Success, "fund");
        await _h.BillingAdmin().CreatePromotionAsync(PromotionCode.Create(_h.Random.NewId(), "LAST", 1_000, 0, "CHF", AccountsHarness.Start, AccountsHarness.Start.AddDays(30), 1, [], 0, false));
        var charges = _gateway.Charges;
        _gateway.DuringNextCharge = async () =>
            Assert.True((await _h.Orders().ConfirmAsync(rival, rivalId, Domain with { PromotionCode = "LAST" }, BillingService.WalletMethod, "rival")).IsSuccess);

        var refused = await _h.Orders().ConfirmAsync(owner, id, Domain with { PromotionCode = "LAST" }, SimulatedPaymentGateway.Success, "mine");

        ResultAssert.Fails(refused, "PROMOTION_CODE_EXHAUSTED");
        Assert.Equal(charges + 1, _gateway.Charges);
        Assert.Equal(1, _gateway.Refunds);
        Assert.Equal(ChargeAttemptState.Refunded, OrderAttempt().State);
        Assert.Equal(0, Products(id));
        Assert.Equal(1, Products(rivalId));
    }

    [Fact]
    [Trait("Rule", "WAL-7")]
    [Trait("Rule", "WAL-1")]
    public async Task TopUp_WhosePeriodLimitIsReachedWhileTheCardIsCharged_IsRefunded()
    {
        _h.WalletOptions = _h.WalletOptions with { PeriodLimit = 10_000 };
        var (owner, id) = await _h.OrganizationAsync();
        _gateway.DuringNextCharge = async () =>
            Assert.True((await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(6_000, "CHF"), SimulatedPaymentGateway.Success, "other")).IsSuccess);

        var refused = await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(6_000, "CHF"), SimulatedPaymentGateway.Success, "mine");

        ResultAssert.Fails(refused, "TOP_UP_PERIOD_LIMIT");
        Assert.Equal(2, _gateway.Charges);
        Assert.Equal(1, _gateway.Refunds);
        Assert.Equal(6_000, _h.Query(db => db.Set<Wallet>().Single(w => w.OrganizationId == id).Balance));
        Assert.Equal(ChargeAttemptState.Refunded, AttemptState("mine"));
    }

    [Fact]
    [Trait("Rule", "WAL-6")]
    [Trait("Rule", "WAL-7")]
    public async Task AnotherTopUpUnderAnIdWhoseChargeIsUnderWay_IsToldToComeBack_ThenThatTheIdIsTaken_AndTheOwnerIsCredited()
    {
        var (owner, id) = await _h.OrganizationAsync();
        _gateway.DuringNextCharge = async () =>
            Assert.Equal(ErrorKind.Aborted, ResultAssert.Fails(await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(7_000, "CHF"), SimulatedPaymentGateway.Success, "same"), "REQUEST_IN_PROGRESS").Kind);

        var first = await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(5_000, "CHF"), SimulatedPaymentGateway.Success, "same");

        Assert.True(first.IsSuccess, first.IsSuccess ? null : first.Error.Reason);
        ResultAssert.Fails(await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(7_000, "CHF"), SimulatedPaymentGateway.Success, "same"), "REQUEST_ID_REUSED");
        Assert.Equal(5_000, _h.Query(db => db.Set<Wallet>().Single(w => w.OrganizationId == id).Balance));
        Assert.Equal(1, _gateway.Charges);
        Assert.Equal(0, _gateway.Refunds);
        Assert.Equal(ChargeAttemptState.Delivered, _h.Query(db => db.Set<ChargeAttempt>().Single()).State);
    }

    [Fact]
    [Trait("Rule", "WAL-6")]
    [Trait("Rule", "WAL-7")]
    public async Task AnotherOrderAtTheSamePriceUnderAnIdWhoseChargeIsUnderWay_IsToldToComeBack_NeverPaidByThatCharge()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var other = new Cart([new CartLine(ProductType.DomainName, "other.ch", 12, false)], null, null);
        _gateway.DuringNextCharge = async () =>
            ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, other, SimulatedPaymentGateway.Success, "order-1"), "REQUEST_IN_PROGRESS");

        var placed = await _h.Orders().ConfirmAsync(owner, id, Domain, SimulatedPaymentGateway.Success, "order-1");

        Assert.True(placed.IsSuccess, placed.IsSuccess ? null : placed.Error.Reason);
        Assert.Equal("meier.ch", Assert.Single(_h.Query(db => db.Set<Product>().Where(p => p.OrganizationId == id).ToList())).Name);
        Assert.Equal(1, _gateway.Charges);
        Assert.Equal(0, _gateway.Refunds);
        Assert.Equal(ChargeAttemptState.Delivered, OrderAttempt().State);
    }

    [Fact]
    [Trait("Rule", "WAL-6")]
    [Trait("Rule", "WAL-7")]
    public async Task TopUp_WhoseIdAWithdrawalTakesWhileTheCardIsCharged_IsRefused_AndItsChargeGivenBack()
    {
        var (owner, id) = await _h.OrganizationAsync();
        await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(10_000, "CHF"), SimulatedPaymentGateway.Success, "fund");

        // The withdrawal runs to its end once the top-up has found no attempt under the id and before
        // it records its own: both pass their checks, the withdrawal commits first.
        var other = new AfterFirstRead("ChargeAttempts", async () => (await _h.Wallets().RequestWithdrawalAsync(owner, id, Money.FromTrusted(3_000, "CHF"), Bank, "same")).IsSuccess);
        _h.Interceptor = other;
        var refused = await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(5_000, "CHF"), SimulatedPaymentGateway.Success, "same");
        _h.Interceptor = null;

        Assert.True(other.Succeeded);
        ResultAssert.Fails(refused, "REQUEST_ID_REUSED");
        Assert.Equal(2, _gateway.Charges);
        Assert.Equal(1, _gateway.Refunds);
        var wallet = _h.Query(db => db.Set<Wallet>().Single(w => w.OrganizationId == id));
        Assert.Equal((10_000, 3_000), (wallet.Balance, wallet.Held));
        Assert.Equal(ChargeAttemptState.Refunded, AttemptState("same"));
    }

    [Fact]
    [Trait("Rule", "WAL-6")]
    [Trait("Rule", "WAL-7")]
    public async Task CardOrder_WhoseIdAWalletOrderTakesWhileTheCardIsCharged_IsRefused_AndItsChargeGivenBack()
    {
        var (owner, id) = await _h.OrganizationAsync();
        await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(10_000, "CHF"), SimulatedPaymentGateway.Success, "fund");
        var charges = _gateway.Charges;

        // The wallet order runs to its end once the card order has found no attempt under the id and
        // before it records its own: both pass their checks, the wallet order commits first.
        var other = new AfterFirstRead("ChargeAttempts", async () => (await _h.Orders().ConfirmAsync(owner, id, Domain, BillingService.WalletMethod, "order-1")).IsSuccess);
        _h.Interceptor = other;
        var refused = await _h.Orders().ConfirmAsync(owner, id, Domain, SimulatedPaymentGateway.Success, "order-1");
        _h.Interceptor = null;

        Assert.True(other.Succeeded);
        ResultAssert.Fails(refused, "REQUEST_ID_REUSED");
        Assert.Equal(charges + 1, _gateway.Charges);
        Assert.Equal(1, _gateway.Refunds);
        Assert.Equal(ChargeAttemptState.Refunded, OrderAttempt().State);
        Assert.Equal(1, Products(id));
    }

    [Fact]
    [Trait("Rule", "WAL-6")]
    [Trait("Rule", "WAL-7")]
    public async Task TimedOutCharge_IsSettledByARetryUnderTheSameId_NeverByAnotherMethod()
    {
        var (owner, id) = await _h.OrganizationAsync();
        await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(10_000, "CHF"), SimulatedPaymentGateway.Success, "fund");
        var charges = _gateway.Charges;
        _gateway.TimeoutsLeft = 1;

        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, Domain, SimulatedPaymentGateway.Success, "order-1"), "PAYMENT_GATEWAY_TIMEOUT");
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, Domain, BillingService.WalletMethod, "order-1"), "REQUEST_ID_REUSED");
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, Domain, SimulatedPaymentGateway.Decline, "order-1"), "REQUEST_ID_REUSED");
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, Domain, PaymentCollector.BankTransferMethod, "order-1"), "REQUEST_ID_REUSED");
        var placed = await _h.Orders().ConfirmAsync(owner, id, Domain, SimulatedPaymentGateway.Success, "order-1");

        Assert.True(placed.IsSuccess);
        Assert.Equal(charges + 1, _gateway.Charges);
        Assert.Equal(0, _gateway.Refunds);
        Assert.Equal(10_000, _h.Query(db => db.Set<Wallet>().Single(w => w.OrganizationId == id).Balance));
        Assert.Equal(1, Products(id));
        Assert.Equal(ChargeAttemptState.Delivered, OrderAttempt().State);
    }

    [Fact]
    [Trait("Rule", "WAL-6")]
    public async Task RetryOfATimedOutCardOrder_AfterThePriceChanged_IsRefused_AndChargesNothingMore()
    {
        var (owner, id) = await _h.OrganizationAsync();
        _gateway.TimeoutsLeft = 1;
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, Domain, SimulatedPaymentGateway.Success, "order-1"), "PAYMENT_GATEWAY_TIMEOUT");
        Assert.True((await _h.BillingAdmin().SetPriceAsync(new CatalogueEntry(ProductType.DomainName, 2_500, "CHF", 12, 810))).IsSuccess);

        var retried = await _h.Orders().ConfirmAsync(owner, id, Domain, SimulatedPaymentGateway.Success, "order-1");

        Assert.Equal(ErrorKind.Aborted, ResultAssert.Fails(retried, "PAYMENT_AMOUNT_CHANGED").Kind);
        Assert.Equal(0, _gateway.Charges);
        Assert.Equal(0, Products(id));
        Assert.Equal(ChargeAttemptState.Unknown, OrderAttempt().State);
    }

    [Fact]
    [Trait("Rule", "WAL-7")]
    public async Task Reconciliation_RefundsChargesLeftUndelivered_OnlyOnceTheyAreStale_AndALateRetryBuysNothing()
    {
        var (owner, id) = await _h.OrganizationAsync();
        // A request that crashed after its card was charged, before delivering.
        var crashed = await _h.Wallets().Charges.ChargeAsync($"{id:N}:crashed", "a crashed order", id, "order", SimulatedPaymentGateway.Success, Money.FromTrusted(1_622, "CHF"), default);
        Assert.True(crashed.IsSuccess);
        // A request whose gateway never answered and that the client did not retry in time.
        _gateway.TimeoutsLeft = 1;
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, Domain, SimulatedPaymentGateway.Success, "abandoned"), "PAYMENT_GATEWAY_TIMEOUT");

        Assert.Equal(0, await _h.Wallets().Charges.SettleStaleAsync(TimeSpan.FromMinutes(15), default));
        _h.Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(2, await _h.Wallets().Charges.SettleStaleAsync(TimeSpan.FromMinutes(15), default));

        Assert.Equal(2, _gateway.Refunds);
        Assert.All(_h.Query(db => db.Set<ChargeAttempt>().ToList()), a => Assert.Equal(ChargeAttemptState.Refunded, a.State));
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, Domain, SimulatedPaymentGateway.Success, "abandoned"), "PAYMENT_REFUNDED");
        Assert.Equal(0, Products(id));
        Assert.Equal(0, await _h.Wallets().Charges.SettleStaleAsync(TimeSpan.FromMinutes(15), default));
        Assert.Equal(2, _gateway.Refunds);
    }

    [Fact]
    [Trait("Rule", "WAL-7")]
    public async Task Reconciliation_AsksTheGatewayAgain_LeavesAStillUnansweredChargeForTheNextRun_AndRecordsADecline()
    {
        var (owner, id) = await _h.OrganizationAsync();
        _gateway.TimeoutsLeft = 1;
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, Domain, SimulatedPaymentGateway.Decline, "declined-later"), "PAYMENT_GATEWAY_TIMEOUT");
        var unanswered = OrderAttempt().State;

        _h.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(0, await _h.Wallets().Charges.SettleStaleAsync(TimeSpan.FromMinutes(15), default));
        _h.Clock.Advance(TimeSpan.FromSeconds(1));
        _gateway.TimeoutsLeft = 1;
        Assert.Equal(0, await _h.Wallets().Charges.SettleStaleAsync(TimeSpan.FromMinutes(15), default));
        Assert.Equal(unanswered, OrderAttempt().State);

        Assert.Equal(1, await _h.Wallets().Charges.SettleStaleAsync(TimeSpan.FromMinutes(15), default));

        Assert.Equal(ChargeAttemptState.Declined, OrderAttempt().State);
        Assert.Equal(0, _gateway.Refunds);
        Assert.Equal(0, _gateway.Charges);
        Assert.Equal(0, await _h.Wallets().Charges.SettleStaleAsync(TimeSpan.FromMinutes(15), default));
        Assert.Equal(0, Products(id));
    }

    [Fact]
    [Trait("Rule", "WAL-7")]
    public async Task Reconciliation_OfAChargeTheGatewayTookAfterATimeout_RefundsIt_SinceNothingWasDelivered()
    {
        var (owner, id) = await _h.OrganizationAsync();
        _gateway.TimeoutsLeft = 1;
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, Domain, SimulatedPaymentGateway.Success, "charged-later"), "PAYMENT_GATEWAY_TIMEOUT");
        _h.Clock.Advance(TimeSpan.FromMinutes(16));

        Assert.Equal(1, await _h.Wallets().Charges.SettleStaleAsync(TimeSpan.FromMinutes(15), default));

        Assert.Equal(1, _gateway.Charges);
        Assert.Equal(1, _gateway.Refunds);
        Assert.Equal(ChargeAttemptState.Refunded, OrderAttempt().State);
        Assert.Equal(0, Products(id));
    }

    /// <summary>A gateway that counts charges and refunds, and can time out or let something happen while it charges.</summary>
    private sealed class RecordingGateway(SimulatedPaymentGateway inner) : IPaymentGateway
    {
        private readonly HashSet<string> _refunds = [];

        public Func<Task>? DuringNextCharge { get; set; }

        public int TimeoutsLeft { get; set; }

        public int Charges => inner.SuccessfulCharges;

        public int Refunds => _refunds.Count;

        public bool Knows(string paymentMethod) => inner.Knows(paymentMethod);

        public async Task<ChargeResult> ChargeAsync(string paymentMethod, Money amount, string idempotencyKey, CancellationToken cancellationToken)
        {
            if (DuringNextCharge is { } hook)
            {
                DuringNextCharge = null;
                await hook();
            }

            if (TimeoutsLeft > 0)
            {
                TimeoutsLeft--;
                return new ChargeResult(ChargeOutcome.TimedOut, string.Empty);
            }

            return await inner.ChargeAsync(paymentMethod, amount, idempotencyKey, cancellationToken);
        }

        public Task RefundAsync(string paymentMethod, string chargeReference, Money amount, string idempotencyKey, CancellationToken cancellationToken)
        {
            Assert.StartsWith("sim-", chargeReference, StringComparison.Ordinal);
            _refunds.Add(idempotencyKey);
            return Task.CompletedTask;
        }
    }
}
