using Hosting.Core.Accounts;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>
/// The wallet's own guards, below the service's validation: amounts reach it positive or not at all, and a
/// withdrawal is closed only by its own wallet; and the service's answers for withdrawals and wallets that do not exist.
/// </summary>
public sealed class WalletEntityTests : IDisposable
{
    private static readonly PayoutDestination Bank = PayoutDestination.Iban("CH93 0076 2011 6238 5295 7", "iban").Value;
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static Wallet Funded(long balance = 10_000)
    {
        var wallet = Wallet.Open(Guid.NewGuid(), Guid.NewGuid(), "CHF", Now);
        wallet.TopUp(Guid.NewGuid(), balance, "fund", Now);
        return wallet;
    }

    public static TheoryData<string> Movements => ["top-up", "refund", "payment", "withdrawal"];

    private static void Move(Wallet wallet, string movement, long amount)
    {
        switch (movement)
        {
            case "top-up":
                wallet.TopUp(Guid.NewGuid(), amount, "r", Now);
                break;
            case "refund":
                wallet.Refund(Guid.NewGuid(), amount, "r", Now);
                break;
            case "payment":
                Assert.True(wallet.Pay(Guid.NewGuid(), amount, "r", Now).IsSuccess);
                break;
            default:
                Assert.True(wallet.RequestWithdrawal(Guid.NewGuid(), amount, Bank, Now).IsSuccess);
                break;
        }
    }

    [Theory]
    [Trait("Rule", "WAL-4")]
    [MemberData(nameof(Movements))]
    public void AMovementOfNothingOrLess_IsAProgrammingError_AndMovesNothing(string movement)
    {
        var wallet = Funded();

        Assert.Throws<ArgumentOutOfRangeException>(() => Move(wallet, movement, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Move(wallet, movement, -1));

        Assert.Equal((10_000L, 0L), (wallet.Balance, wallet.Held));
        Move(wallet, movement, 1);
        Assert.NotEqual((10_000L, 0L), (wallet.Balance, wallet.Held));
    }

    [Fact]
    [Trait("Rule", "WAL-3")]
    public void AWithdrawal_IsExecutedOnlyByItsOwnWallet()
    {
        var mine = Funded();
        var other = Funded();
        var withdrawal = mine.RequestWithdrawal(Guid.NewGuid(), 1_000, Bank, Now).Value;

        Assert.Throws<InvalidOperationException>(() => other.ExecuteWithdrawal(withdrawal, Guid.NewGuid(), Now));

        Assert.Equal((10_000L, 0L), (other.Balance, other.Held));
        Assert.Equal(WithdrawalStatus.Pending, withdrawal.Status);
        Assert.True(mine.ExecuteWithdrawal(withdrawal, Guid.NewGuid(), Now).IsSuccess);
        Assert.Equal((9_000L, 0L), (mine.Balance, mine.Held));
    }

    [Fact]
    [Trait("Rule", "WAL-3")]
    public async Task ExecutingOrCancellingAWithdrawalThatDoesNotExist_IsNotFound()
    {
        ResultAssert.Fails(await _h.Wallets().ExecuteWithdrawalAsync(Guid.NewGuid()), "WITHDRAWAL_NOT_FOUND");
        ResultAssert.Fails(await _h.Wallets().CancelWithdrawalAsync(Guid.NewGuid()), "WITHDRAWAL_NOT_FOUND");
    }

    [Fact]
    [Trait("Rule", "WAL-3")]
    public async Task AWithdrawalFromAnOrganizationWithoutAWalletInThatCurrency_FindsNoFunds_AndOpensNoWallet()
    {
        var owner = await _h.UserAsync("owner@example.com");
        var id = (await _h.Organizations().CreateAsync(owner, Contacts.Company)).Value.Organization.Id;

        ResultAssert.Fails(await _h.Wallets().RequestWithdrawalAsync(owner, id, Money.FromTrusted(1_000, "CHF"), Bank, "out-1"), "INSUFFICIENT_FUNDS");

        Assert.Equal(0, _h.Query(db => db.Set<Wallet>().Count()));
        Assert.Equal(0, _h.Query(db => db.Set<Withdrawal>().Count()));
    }
}
