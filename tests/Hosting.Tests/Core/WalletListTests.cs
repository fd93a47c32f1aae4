using Hosting.Core.Accounts;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>The wallet's lists (wallets, withdrawals, ledger history): each in pages read from the store, for billing members only.</summary>
public sealed class WalletListTests : IDisposable
{
    private static readonly PayoutDestination Bank = PayoutDestination.Iban("CH93 0076 2011 6238 5295 7", "iban").Value;
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<(AuthenticatedUser Owner, Guid OrganizationId, AuthenticatedUser NoBilling)> OrganizationAsync()
    {
        var (owner, id) = await _h.OrganizationAsync();
        return (owner, id, await _h.JoinAsync(id, owner, "tech@example.com", MemberRights.Full with { Billing = false }));
    }

    private async Task TopUpAsync(AuthenticatedUser user, Guid organizationId, long minor, string currency = "CHF")
    {
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        var topUp = await _h.Wallets().TopUpAsync(user, organizationId, Money.FromTrusted(minor, currency), SimulatedPaymentGateway.Success, $"top-{Guid.NewGuid():N}");
        Assert.True(topUp.IsSuccess, topUp.Error?.Reason);
    }

    private async Task<Guid> WithdrawAsync(AuthenticatedUser user, Guid organizationId, long minor)
    {
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        var withdrawal = await _h.Wallets().RequestWithdrawalAsync(user, organizationId, Money.FromTrusted(minor, "CHF"), Bank, $"out-{Guid.NewGuid():N}");
        Assert.True(withdrawal.IsSuccess, withdrawal.Error?.Reason);
        return withdrawal.Value.Withdrawal.Id;
    }

    [Fact]
    [Trait("Rule", "WAL-3")]
    [Trait("Rule", "API-4")]
    public async Task Withdrawals_ArePagedOldestFirst_WithoutRepeatOrLoss_AndOnlyTheOrganizations()
    {
        var (owner, id, _) = await OrganizationAsync();
        await TopUpAsync(owner, id, 10_000);
        var ids = new List<Guid>();
        for (var i = 1; i <= 5; i++)
        {
            ids.Add(await WithdrawAsync(owner, id, i * 100));
        }

        var other = await _h.UserAsync("other@example.com");
        var otherId = (await _h.Organizations().CreateAsync(other, Contacts.Company)).Value.Organization.Id;
        await TopUpAsync(other, otherId, 1_000);
        await WithdrawAsync(other, otherId, 500);

        var listed = new List<Withdrawal>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = (await _h.Wallets().ListWithdrawalsAsync(owner, id, 2, token)).Value;
            Assert.True(page.Items.Count <= 2);
            listed.AddRange(page.Items);
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(3, pages);
        Assert.Equal(ids, listed.Select(w => w.Id));
        Assert.Equal([100L, 200L, 300L, 400L, 500L], listed.Select(w => w.Amount));
    }

    [Fact]
    [Trait("Rule", "BIL-2")]
    [Trait("Rule", "API-4")]
    public async Task Withdrawals_AreListedToBillingMembersOnly_AndABadPageIsRefused()
    {
        var (owner, id, tech) = await OrganizationAsync();
        var stranger = await _h.UserAsync("stranger@example.com");

        ResultAssert.Fails(await _h.Wallets().ListWithdrawalsAsync(tech, id, 0, null), "BILLING_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _h.Wallets().ListWithdrawalsAsync(stranger, id, 0, null), "ORGANIZATION_NOT_FOUND");
        ResultAssert.Fails(await _h.Wallets().ListWithdrawalsAsync(owner, id, -1, null), "INVALID_PAGE_SIZE");
        ResultAssert.Fails(await _h.Wallets().ListWithdrawalsAsync(owner, id, 1, "not-a-token"), "INVALID_PAGE_TOKEN");
        Assert.Empty((await _h.Wallets().ListWithdrawalsAsync(owner, id, 0, null)).Value.Items);
    }

    [Fact]
    [Trait("Rule", "WAL-4")]
    [Trait("Rule", "API-4")]
    public async Task TheLedgerHistory_IsPagedNewestFirst_PerCurrency_WithEachMovementsSignedAmount()
    {
        var (owner, id, _) = await OrganizationAsync();
        await TopUpAsync(owner, id, 1_000);
        await TopUpAsync(owner, id, 2_000);
        await TopUpAsync(owner, id, 1_700, "EUR");
        await TopUpAsync(owner, id, 3_000);

        var first = (await _h.Wallets().ListTransactionsAsync(owner, id, "CHF", 2, null)).Value;
        var second = (await _h.Wallets().ListTransactionsAsync(owner, id, "CHF", 2, first.NextPageToken)).Value;
        var euros = (await _h.Wallets().ListTransactionsAsync(owner, id, "EUR", 0, null)).Value;

        Assert.Equal([3_000L, 2_000L], first.Items.Select(t => t.WalletAmount));
        Assert.Equal([1_000L], second.Items.Select(t => t.WalletAmount));
        Assert.Empty(second.NextPageToken);
        Assert.All(first.Items.Concat(second.Items), t => Assert.Equal("CHF", t.Currency));
        Assert.Equal(1_700, Assert.Single(euros.Items).WalletAmount);
        Assert.All(first.Items, t => Assert.Equal(0, t.Entries.Sum(e => e.Amount)));
    }

    [Fact]
    [Trait("Rule", "BIL-2")]
    [Trait("Rule", "WAL-4")]
    public async Task TheLedgerHistory_IsForBillingMembers_OfAWalletThatExists()
    {
        var (owner, id, tech) = await OrganizationAsync();
        await TopUpAsync(owner, id, 1_000);

        ResultAssert.Fails(await _h.Wallets().ListTransactionsAsync(tech, id, "CHF", 0, null), "BILLING_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _h.Wallets().ListTransactionsAsync(owner, id, "EUR", 0, null), "WALLET_NOT_FOUND");
        ResultAssert.Fails(await _h.Wallets().ListTransactionsAsync(owner, id, "CHF", -1, null), "INVALID_PAGE_SIZE");
        ResultAssert.Fails(await _h.Wallets().ListTransactionsAsync(owner, id, "CHF", 1, "not-a-token"), "INVALID_PAGE_TOKEN");
    }

    [Fact]
    [Trait("Rule", "WAL-1")]
    [Trait("Rule", "API-4")]
    public async Task Wallets_ArePagedOnePerCurrency_ForBillingMembers()
    {
        var (owner, id, tech) = await OrganizationAsync();
        await TopUpAsync(owner, id, 1_000);
        await TopUpAsync(owner, id, 1_700, "EUR");
        await TopUpAsync(owner, id, 1_500);

        var first = (await _h.Wallets().ListWalletsAsync(owner, id, 1, null)).Value;
        var second = (await _h.Wallets().ListWalletsAsync(owner, id, 1, first.NextPageToken)).Value;

        Assert.Equal(["CHF", "EUR"], first.Items.Concat(second.Items).Select(w => w.Currency));
        Assert.Equal([2_500L, 1_700L], first.Items.Concat(second.Items).Select(w => w.Balance));
        Assert.Empty(second.NextPageToken);
        ResultAssert.Fails(await _h.Wallets().ListWalletsAsync(tech, id, 0, null), "BILLING_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _h.Wallets().ListWalletsAsync(tech, id), "BILLING_RIGHTS_REQUIRED");
        ResultAssert.Fails(await _h.Wallets().ListWalletsAsync(owner, id, -1, null), "INVALID_PAGE_SIZE");
    }
}
