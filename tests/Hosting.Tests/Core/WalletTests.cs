using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class WalletTests : IDisposable
{
    private static readonly PayoutDestination Bank = PayoutDestination.Iban("CH93 0076 2011 6238 5295 7", "iban").Value;
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static Money Chf(long minor) => Money.FromTrusted(minor, "CHF");

    private async Task<Wallet> TopUpAsync(AuthenticatedUser user, Guid organizationId, long minor)
    {
        var result = await _h.Wallets().TopUpAsync(user, organizationId, Chf(minor), SimulatedPaymentGateway.Success, $"top-{Guid.NewGuid():N}");
        Assert.True(result.IsSuccess, result.Error?.Reason);
        return result.Value.Wallet;
    }

    private async Task AssertAuditCleanAsync() => Assert.Empty(await _h.Auditor().AuditAsync());

    private int _orders;

    /// <summary>An unpaid invoice of the organization, from a bank-transfer order: what the wallet can pay.</summary>
    private async Task<Invoice> UnpaidInvoiceAsync(AuthenticatedUser owner, Guid organizationId, ProductType type = ProductType.DomainName)
    {
        var n = ++_orders;
        var line = new CartLine(type, type == ProductType.DomainName ? $"meier-{n}.ch" : $"www.meier-{n}.ch", 12, false);
        var placed = await _h.Orders().ConfirmAsync(owner, organizationId, new Cart([line], null, null), PaymentCollector.BankTransferMethod, $"order-{n}");
        Assert.True(placed.IsSuccess, placed.Error?.Reason);
        return placed.Value.Invoice;
    }

    private static string NameOf(Invoice invoice) => $"organizations/{invoice.OrganizationId}/invoices/{invoice.Id}";

    /// <summary>Pays the invoice from the wallet with its total.</summary>
    private Task<Result<WalletMovement>> PayAsync(AuthenticatedUser user, Guid organizationId, Invoice invoice, string requestId) =>
        _h.UnpaidInvoices().PayFromWalletAsync(user, organizationId, Chf(invoice.TotalMinor), NameOf(invoice), requestId);

    private Invoice Reload(Invoice invoice) => _h.Query(db => db.Set<Invoice>().Single(i => i.Id == invoice.Id));

    private long Balance(Guid organizationId) => _h.Query(db => db.Set<Wallet>().Where(w => w.OrganizationId == organizationId).Sum(w => w.Balance));

    [Fact]
    [Trait("Rule", "WAL-1")]
    public async Task TopUp_CreditsTheWalletThroughTheGateway_AsABalancedTransaction()
    {
        var (owner, id) = await _h.OrganizationAsync();

        var moved = (await _h.Wallets().TopUpAsync(owner, id, Chf(5_000), SimulatedPaymentGateway.Success, "first-top-up")).Value;

        Assert.Equal(5_000, moved.Wallet.Balance);
        Assert.Equal(LedgerTransactionKind.TopUp, moved.Transaction.Kind);
        Assert.Equal(0, moved.Transaction.Entries.Sum(e => e.Amount));
        Assert.Equal(5_000, moved.Transaction.WalletAmount);
        Assert.Equal(1, _h.Gateway.SuccessfulCharges);
        await AssertAuditCleanAsync();
    }

    [Theory]
    [Trait("Rule", "WAL-1")]
    [InlineData(999, "TOP_UP_BELOW_MINIMUM", "minimum")]
    [InlineData(500_001, "TOP_UP_ABOVE_MAXIMUM", "maximum")]
    public async Task TopUp_OutsideAPerTopUpLimit_IsRefusedNamingTheLimit(long minor, string reason, string limit)
    {
        var (owner, id) = await _h.OrganizationAsync();

        var error = ResultAssert.Fails(await _h.Wallets().TopUpAsync(owner, id, Chf(minor), SimulatedPaymentGateway.Success, "r1"), reason);

        Assert.Equal(limit, error.Metadata["limit"]);
        Assert.Equal(0, _h.Gateway?.SuccessfulCharges ?? 0);
    }

    [Fact]
    [Trait("Rule", "WAL-1")]
    public async Task TopUp_BeyondThePeriodLimit_IsRefused_UntilThePeriodHasPassed()
    {
        var (owner, id) = await _h.OrganizationAsync();
        await TopUpAsync(owner, id, 500_000);
        await TopUpAsync(owner, id, 500_000);

        var error = ResultAssert.Fails(await _h.Wallets().TopUpAsync(owner, id, Chf(1_000), SimulatedPaymentGateway.Success, "over"), "TOP_UP_PERIOD_LIMIT");
        Assert.Equal("1000000", error.Metadata["limit_minor"]);

        _h.Clock.Advance(_h.WalletOptions.Period);
        Assert.True((await _h.Wallets().TopUpAsync(owner, id, Chf(1_000), SimulatedPaymentGateway.Success, "later")).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "WAL-1")]
    public async Task DeclinedTopUp_MovesNothing()
    {
        var (owner, id) = await _h.OrganizationAsync();

        ResultAssert.Fails(await _h.Wallets().TopUpAsync(owner, id, Chf(5_000), SimulatedPaymentGateway.Decline, "declined"), "PAYMENT_DECLINED");

        Assert.Empty((await _h.Wallets().ListWalletsAsync(owner, id)).Value);
        await AssertAuditCleanAsync();
    }

    [Fact]
    [Trait("Rule", "WAL-2")]
    public async Task Pay_NeverTakesTheBalanceBelowZero()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var first = await UnpaidInvoiceAsync(owner, id);
        var second = await UnpaidInvoiceAsync(owner, id);
        await TopUpAsync(owner, id, first.TotalMinor);
        var hold = (await _h.Wallets().RequestWithdrawalAsync(owner, id, Chf(1), Bank, "hold-1")).Value;

        // One minor unit short of the total is not enough.
        var refused = ResultAssert.Fails(await PayAsync(owner, id, first, "pay-1"), "INSUFFICIENT_FUNDS");
        await _h.Wallets().CancelWithdrawalAsync(hold.Withdrawal.Id);
        var paid = await PayAsync(owner, id, first, "pay-2");

        Assert.Equal(ErrorKind.FailedPrecondition, refused.Kind);
        Assert.Equal(0, paid.Value.Wallet.Balance);
        ResultAssert.Fails(await PayAsync(owner, id, second, "pay-3"), "INSUFFICIENT_FUNDS");
        Assert.Equal(InvoiceState.Unpaid, Reload(second).State);
        await AssertAuditCleanAsync();
    }

    [Fact]
    [Trait("Rule", "WAL-7")]
    public async Task PayFromWallet_RefusesAnythingButAnUnpaidInvoiceOfTheOrganizationForItsTotal_AndMovesNothing()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invoice = await UnpaidInvoiceAsync(owner, id);
        await TopUpAsync(owner, id, 10_000);
        var stranger = await _h.UserAsync("stranger@example.com");
        var other = (await _h.Organizations().CreateAsync(stranger, Contacts.Company)).Value.Organization.Id;
        var foreign = await UnpaidInvoiceAsync(stranger, other);
        var product = _h.Query(db => db.Set<Product>().Single(p => p.OrganizationId == id));
        string[] references =
        [
            "invoices/1", "", $"organizations/{id}/invoices/{Guid.NewGuid()}", NameOf(foreign),
            $"organizations/{id}/invoices/{foreign.Id}", $"organizations/{id}/products/{product.Id}", $" {NameOf(invoice)}",
        ];

        foreach (var reference in references)
        {
            var error = ResultAssert.Fails(await _h.UnpaidInvoices().PayFromWalletAsync(owner, id, Chf(invoice.TotalMinor), reference, $"r-{Guid.NewGuid():N}"), "INVALID_REFERENCE");
            Assert.Equal("reference", Assert.Single(error.Fields).Field);
        }

        foreach (var amount in new[] { Chf(invoice.TotalMinor - 1), Chf(invoice.TotalMinor + 1), Money.FromTrusted(invoice.TotalMinor, "EUR") })
        {
            var error = ResultAssert.Fails(await _h.UnpaidInvoices().PayFromWalletAsync(owner, id, amount, NameOf(invoice), $"r-{Guid.NewGuid():N}"), "AMOUNT_MISMATCH");
            Assert.Equal("amount", Assert.Single(error.Fields).Field);
        }

        Assert.Equal(10_000, Balance(id));
        Assert.Equal(InvoiceState.Unpaid, Reload(invoice).State);
        Assert.Equal(InvoiceState.Unpaid, Reload(foreign).State);
        Assert.True(_h.Query(db => db.Set<Product>().Single(p => p.Id == product.Id)).AwaitsInvoice);
        await AssertAuditCleanAsync();
    }

    [Fact]
    [Trait("Rule", "WAL-7")]
    [Trait("Rule", "WAL-2")]
    public async Task PayFromWallet_PaysTheInvoiceAndActivatesItsProducts_InOneTransaction_Once()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invoice = await UnpaidInvoiceAsync(owner, id);
        var cancelled = await UnpaidInvoiceAsync(owner, id);
        await _h.UnpaidInvoices().CancelAsync(owner, id, cancelled.Id, null);
        await TopUpAsync(owner, id, 10_000);

        var paid = (await PayAsync(owner, id, invoice, "pay-1")).Value;

        Assert.Equal(LedgerTransactionKind.Payment, paid.Transaction.Kind);
        Assert.Equal(-invoice.TotalMinor, paid.Transaction.WalletAmount);
        Assert.Equal(10_000 - invoice.TotalMinor, paid.Wallet.Balance);
        var stored = Reload(invoice);
        Assert.Equal(InvoiceState.Paid, stored.State);
        Assert.Equal(PaymentCollector.WalletMethod, stored.PaymentMethod);
        Assert.Equal(paid.Transaction.Id, PaymentCollector.LedgerTransactionOf(stored.PaymentReference));
        var product = _h.Query(db => db.Set<Product>().Single(p => p.InvoiceId == invoice.Id));
        Assert.Equal(ProductStatus.Active, product.Status);
        Assert.False(product.AwaitsInvoice);

        ResultAssert.Fails(await PayAsync(owner, id, invoice, "pay-2"), "INVOICE_ALREADY_PAID");
        ResultAssert.Fails(await PayAsync(owner, id, cancelled, "pay-3"), "INVOICE_CANCELLED");
        Assert.Equal(paid.Transaction.Id, (await PayAsync(owner, id, invoice, "pay-1")).Value.Transaction.Id);
        Assert.Equal(10_000 - invoice.TotalMinor, Balance(id));
        await AssertAuditCleanAsync();
    }

    [Fact]
    [Trait("Rule", "WAL-3")]
    public async Task Withdrawal_HoldsItsAmount_WhichCannotBeSpent_UntilExecutedOrCancelled()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invoice = await UnpaidInvoiceAsync(owner, id);
        await TopUpAsync(owner, id, 10_000);
        var left = invoice.TotalMinor - 1;

        var requested = (await _h.Wallets().RequestWithdrawalAsync(owner, id, Chf(10_000 - left), Bank, "w-1")).Value;
        Assert.Equal(left, requested.Wallet.Available);
        ResultAssert.Fails(await PayAsync(owner, id, invoice, "p-1"), "INSUFFICIENT_FUNDS");

        var executed = (await _h.Wallets().ExecuteWithdrawalAsync(requested.Withdrawal.Id)).Value;
        Assert.Equal(left, executed.Wallet.Balance);
        Assert.Equal(0, executed.Wallet.Held);
        ResultAssert.Fails(await _h.Wallets().ExecuteWithdrawalAsync(requested.Withdrawal.Id), "WITHDRAWAL_NOT_PENDING");

        var second = (await _h.Wallets().RequestWithdrawalAsync(owner, id, Chf(left), PayoutDestination.PayPal("ann@example.com", "paypal_email").Value, "w-2")).Value;
        var cancelled = (await _h.Wallets().CancelWithdrawalAsync(second.Withdrawal.Id)).Value;
        Assert.Equal(left, cancelled.Wallet.Available);
        await AssertAuditCleanAsync();
    }

    [Theory]
    [Trait("Rule", "WAL-3")]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AWithdrawalExecutedAndCancelledAtOnce_IsClosedOnce_AndTheLoserIsToldItIsClosed(bool executeWins)
    {
        var (owner, id) = await _h.OrganizationAsync();
        await TopUpAsync(owner, id, 10_000);
        var requested = (await _h.Wallets().RequestWithdrawalAsync(owner, id, Chf(4_000), Bank, "w-1")).Value;
        var withdrawalId = requested.Withdrawal.Id;

        // The winner runs to its end once the loser has read the withdrawal still pending: the loser's
        // write conflicts, and its retry finds the withdrawal closed.
        var winner = new AfterFirstRead("Withdrawals", async () => (executeWins
            ? await _h.Wallets().ExecuteWithdrawalAsync(withdrawalId)
            : await _h.Wallets().CancelWithdrawalAsync(withdrawalId)).IsSuccess);
        _h.Interceptor = winner;
        var loser = executeWins ? await _h.Wallets().CancelWithdrawalAsync(withdrawalId) : await _h.Wallets().ExecuteWithdrawalAsync(withdrawalId);
        _h.Interceptor = null;

        Assert.True(winner.Succeeded);
        ResultAssert.Fails(loser, "WITHDRAWAL_NOT_PENDING");
        var wallet = _h.Query(db => db.Set<Wallet>().Single(w => w.OrganizationId == id));
        Assert.Equal((executeWins ? 6_000 : 10_000, 0L), (wallet.Balance, wallet.Held));
        Assert.Equal(executeWins ? 1 : 0, _h.Query(db => db.Set<LedgerTransaction>().Count(t => t.Kind == LedgerTransactionKind.WithdrawalExecuted)));
        await AssertAuditCleanAsync();
    }

    [Theory]
    [Trait("Rule", "WAL-3")]
    [InlineData("CH93 0076 2011 6238 5295 7", true)]
    [InlineData("DE89 3704 0044 0532 0130 00", true)]
    [InlineData("CH94 0076 2011 6238 5295 7", false)]
    [InlineData("not an iban", false)]
    [InlineData("GB82 WEST 1234 5698 7654 32", true)]
    [InlineData("gb82 west 1234 5698 7654 32", true)]
    [InlineData("GB82 WE\u017FT 1234 5698 7654 32", false)]
    [InlineData("IT60 X054 2811 1010 0000 0123 456", true)]
    [InlineData("\u0131T60 X054 2811 1010 0000 0123 456", false)]

    // 15 and 34 characters are the shortest and longest IBANs; 14 and 35 are refused even with right check digits.
    [InlineData("NO93 8601 1117 947", true)]
    [InlineData("NO69 8601 1117 94", false)]
    [InlineData("GB34 0000 0000 0012 3456 7890 1234 5678 90", true)]
    [InlineData("GB54 0000 0000 0012 3456 7890 1234 5678 901", false)]
    public void Iban_IsCheckedWithItsMod97Digits(string iban, bool valid)
    {
        var result = PayoutDestination.Iban(iban, "iban");

        Assert.Equal(valid, result.IsSuccess);
        if (!valid)
        {
            Assert.Equal("INVALID_IBAN", result.Error!.Reason);
        }
    }

    [Theory]
    [Trait("Rule", "WAL-5")]
    [InlineData("a", true)]
    [InlineData("order-2026_11-30", true)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("order 1", false)]
    [InlineData("order/1", false)]
    [InlineData("ordér", false)]
    public void RequestIds_AreOneTo64LettersDigitsDashesOrUnderscores(string? requestId, bool valid) =>
        Assert.Equal(valid, RequestIds.IsValid(requestId));

    [Fact]
    [Trait("Rule", "WAL-3")]
    public void APayPalDestination_IsAnEmailAddress()
    {
        Assert.Equal("ann@example.com", PayoutDestination.PayPal("ann@example.com", "paypal_email").Value.Value);
        Assert.Equal("paypal_email", Assert.Single(PayoutDestination.PayPal("not an address", "paypal_email").Error!.Fields).Field);
    }

    [Fact]
    [Trait("Rule", "WAL-1")]
    public async Task ATopUpOfNothing_OrByAMethodTheGatewayDoesNotKnow_IsRefused_AndMovesNothing()
    {
        var (owner, id) = await _h.OrganizationAsync();

        ResultAssert.Fails(await _h.Wallets().TopUpAsync(owner, id, Chf(0), SimulatedPaymentGateway.Success, "zero"), "INVALID_AMOUNT");
        ResultAssert.Fails(await _h.Wallets().TopUpAsync(owner, id, Chf(5_000), "bitcoin", "unknown"), "UNKNOWN_PAYMENT_METHOD");
        ResultAssert.Fails(await _h.Wallets().TopUpAsync(owner, id, Chf(5_000), null, "none"), "UNKNOWN_PAYMENT_METHOD");

        Assert.Empty(_h.Query(db => db.Set<LedgerTransaction>().ToList()));
        Assert.Empty(_h.Query(db => db.Set<ChargeAttempt>().ToList()));
    }

    [Fact]
    [Trait("Rule", "WAL-5")]
    public async Task AMovementThatLosesEveryRace_IsTriedItsAttemptsAndNoMore_AndMovesNothing()
    {
        _h.WalletOptions = _h.WalletOptions with { MaxAttempts = 3 };
        var (owner, id) = await _h.OrganizationAsync();

        var attempts = await _h.AttemptsLosingEveryRaceAsync("IdempotencyRecords", () => _h.Wallets().TopUpAsync(owner, id, Chf(5_000), SimulatedPaymentGateway.Success, "contested"));

        Assert.Equal(3, attempts);
        Assert.Empty(_h.Query(db => db.Set<LedgerTransaction>().ToList()));
        Assert.Empty(_h.Query(db => db.Set<IdempotencyRecord>().ToList()));
    }

    [Fact]
    [Trait("Rule", "WAL-4")]
    public async Task History_ListsEveryMovementNewestFirst_AndBalanceEqualsTheSumOfEntries()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invoice = await UnpaidInvoiceAsync(owner, id);
        await TopUpAsync(owner, id, 10_000);
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await PayAsync(owner, id, invoice, "p-7")).IsSuccess);

        var history = (await _h.Wallets().ListTransactionsAsync(owner, id, "CHF", 0, null)).Value.Items;

        Assert.Equal([LedgerTransactionKind.Payment, LedgerTransactionKind.TopUp], history.Select(t => t.Kind));
        Assert.Equal(10_000 - invoice.TotalMinor, history.Sum(t => t.WalletAmount));
        Assert.All(history, t => Assert.Equal(0, t.Entries.Sum(e => e.Amount)));
    }

    [Fact]
    [Trait("Rule", "WAL-4")]
    public async Task SeededRandomSequences_KeepEveryInvariantAfterEveryStep()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var random = new System.Random(20261124);
        var pending = new List<Guid>();
        long expected = 0;
        for (var step = 0; step < 60; step++)
        {
            var amount = random.Next(1, 40) * 500L;
            var requestId = $"s{step}";
            Func<Task<bool>>? repeat = null;
            switch (random.Next(5))
            {
                case 0:
                    repeat = async () => (await _h.Wallets().TopUpAsync(owner, id, Chf(amount), SimulatedPaymentGateway.Success, requestId)).IsSuccess;
                    expected += await repeat() ? amount : 0;
                    break;
                case 1:
                    var invoice = await UnpaidInvoiceAsync(owner, id, random.Next(2) == 0 ? ProductType.DomainName : ProductType.WebHosting);
                    repeat = async () => (await PayAsync(owner, id, invoice, requestId)).IsSuccess;
                    expected -= await repeat() ? invoice.TotalMinor : 0;
                    break;
                case 2:
                    var requested = await _h.Wallets().RequestWithdrawalAsync(owner, id, Chf(amount), Bank, requestId);
                    if (requested.IsSuccess)
                    {
                        pending.Add(requested.Value.Withdrawal.Id);
                    }

                    repeat = async () => (await _h.Wallets().RequestWithdrawalAsync(owner, id, Chf(amount), Bank, requestId)).IsSuccess;
                    Assert.Equal(requested.IsSuccess, await repeat());
                    repeat = null;
                    break;
                case 3 when pending.Count > 0:
                    var executed = pending[random.Next(pending.Count)];
                    pending.Remove(executed);
                    expected -= (await _h.Wallets().ExecuteWithdrawalAsync(executed)).Value.Withdrawal.Amount;
                    break;
                case 4 when pending.Count > 0:
                    var cancelled = pending[random.Next(pending.Count)];
                    pending.Remove(cancelled);
                    Assert.True((await _h.Wallets().CancelWithdrawalAsync(cancelled)).IsSuccess);
                    break;
            }

            if (repeat is not null)
            {
                // A retry under the same request id answers as the first time and moves nothing (WAL-5).
                var before = (await _h.Wallets().ListWalletsAsync(owner, id)).Value.Sum(w => w.Balance);
                await repeat();
                Assert.Equal(before, (await _h.Wallets().ListWalletsAsync(owner, id)).Value.Sum(w => w.Balance));
            }

            Assert.Empty(await _h.Auditor().AuditAsync());
            var wallets = (await _h.Wallets().ListWalletsAsync(owner, id)).Value;
            Assert.Equal(expected, wallets.Sum(w => w.Balance));
            Assert.All(wallets, w => Assert.True(w.Available >= 0));
        }
    }

    [Fact]
    [Trait("Rule", "WAL-5")]
    public async Task SameRequestIdAndRequest_ReturnsTheFirstResult_AndMovesNothingAgain()
    {
        var (owner, id) = await _h.OrganizationAsync();
        await TopUpAsync(owner, id, 10_000);

        var invoice = await UnpaidInvoiceAsync(owner, id);

        var first = (await PayAsync(owner, id, invoice, "same-id")).Value;
        var again = (await PayAsync(owner, id, invoice, "same-id")).Value;

        Assert.Equal(first.Transaction.Id, again.Transaction.Id);
        Assert.Equal(10_000 - invoice.TotalMinor, again.Wallet.Balance);
        var topUp = (await _h.Wallets().TopUpAsync(owner, id, Chf(2_000), SimulatedPaymentGateway.Success, "top-same")).Value;
        Assert.Equal(topUp.Transaction.Id, (await _h.Wallets().TopUpAsync(owner, id, Chf(2_000), SimulatedPaymentGateway.Success, "top-same")).Value.Transaction.Id);
        Assert.Equal(2, _h.Gateway.SuccessfulCharges);
    }

    [Fact]
    [Trait("Rule", "WAL-5")]
    public async Task SameRequestId_WithADifferentRequest_IsRefused()
    {
        var (owner, id) = await _h.OrganizationAsync();
        await TopUpAsync(owner, id, 10_000);
        var first = await UnpaidInvoiceAsync(owner, id);
        var second = await UnpaidInvoiceAsync(owner, id, ProductType.WebHosting);
        Assert.True((await PayAsync(owner, id, first, "id-1")).IsSuccess);

        var error = ResultAssert.Fails(await PayAsync(owner, id, second, "id-1"), "REQUEST_ID_REUSED");

        Assert.Equal(ErrorKind.AlreadyExists, error.Kind);
        Assert.Equal(10_000 - first.TotalMinor, (await _h.Wallets().ListWalletsAsync(owner, id)).Value.Single().Balance);
        Assert.Equal(InvoiceState.Unpaid, Reload(second).State);
    }

    [Fact]
    [Trait("Rule", "WAL-5")]
    public async Task AFailedRequest_StaysFailedUnderItsId_EvenWhenItWouldNowSucceed()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invoice = await UnpaidInvoiceAsync(owner, id);

        ResultAssert.Fails(await PayAsync(owner, id, invoice, "early"), "INSUFFICIENT_FUNDS");
        await TopUpAsync(owner, id, 10_000);

        ResultAssert.Fails(await PayAsync(owner, id, invoice, "early"), "INSUFFICIENT_FUNDS");
        Assert.Equal(10_000, (await _h.Wallets().ListWalletsAsync(owner, id)).Value.Single().Balance);
        Assert.Equal(InvoiceState.Unpaid, Reload(invoice).State);
    }

    [Fact]
    [Trait("Rule", "WAL-6")]
    [Trait("Rule", "WAL-5")]
    public async Task AGatewayTimeout_LeavesTheAttemptOpen_AndTheSameIdCannotSwitchToAnotherMethod()
    {
        var (owner, id) = await _h.OrganizationAsync();

        var timeout = ResultAssert.Fails(await _h.Wallets().TopUpAsync(owner, id, Chf(5_000), SimulatedPaymentGateway.Timeout, "retry-me"), "PAYMENT_GATEWAY_TIMEOUT");

        Assert.Equal(ErrorKind.Unavailable, timeout.Kind);
        Assert.Empty(timeout.Metadata);
        Assert.Equal(ChargeAttemptState.Unknown, _h.Query(db => db.Set<ChargeAttempt>().Single()).State);

        // Its request gave up, so the id is taken (not "in progress") for a request by another method.
        ResultAssert.Fails(await _h.Wallets().TopUpAsync(owner, id, Chf(5_000), SimulatedPaymentGateway.Success, "retry-me"), "REQUEST_ID_REUSED");
        Assert.Empty(_h.Query(db => db.Set<Wallet>().Where(w => w.OrganizationId == id && w.Balance > 0).ToList()));
    }

    [Fact]
    [Trait("Rule", "BIL-2")]
    public async Task Wallet_NeedsBillingRights()
    {
        var (owner, id) = await _h.OrganizationAsync();
        var invitation = (await _h.Organizations().InviteAsync(owner, id, "tech@example.com", new MemberRights(false, [], false))).Value;
        var tech = await _h.UserAsync("tech@example.com");
        await _h.Organizations().AcceptInvitationAsync(tech, invitation.Id);
        var outsider = await _h.UserAsync("outsider@example.com");

        ResultAssert.Fails(await _h.Wallets().ListWalletsAsync(tech, id), "BILLING_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _h.Wallets().TopUpAsync(tech, id, Chf(5_000), SimulatedPaymentGateway.Success, "t"), "BILLING_RIGHTS_REQUIRED");
        var invoice = await UnpaidInvoiceAsync(owner, id);
        ResultAssert.Fails(await _h.UnpaidInvoices().PayFromWalletAsync(outsider, id, Chf(invoice.TotalMinor), NameOf(invoice), "t"), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await PayAsync(tech, id, invoice, "t"), "BILLING_RIGHTS_REQUIRED");
    }

    [Fact]
    [Trait("Rule", "ORG-9")]
    public async Task OrganizationDeletion_ReadsTheWallet()
    {
        var (owner, id) = await _h.OrganizationAsync();
        await TopUpAsync(owner, id, 5_000);
        await _h.Wallets().RequestWithdrawalAsync(owner, id, Chf(1_000), Bank, "w");
        _h.Finances = new WalletFinances(new Hosting.Persistence.Stores.EfWalletStore(_h.NewDb()));

        var error = ResultAssert.Fails(await _h.Organizations().DeleteAsync(owner, id, false), "ORGANIZATION_NOT_DELETABLE");

        Assert.Equal(["WALLET_NOT_EMPTY", "WITHDRAWAL_PENDING"], error.Preconditions.Select(p => p.Type));
    }
}
