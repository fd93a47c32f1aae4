using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;

namespace Hosting.Tests.Support;

/// <summary>
/// Who the billing rule tests set against each other: the owner of an organization, a member of it without
/// billing rights, a stranger, and another organization of the owner's; and the one-line orders they bill.
/// </summary>
public sealed class BillingWorld
{
    private readonly AccountsHarness _h;
    private int _orders;

    private BillingWorld(AccountsHarness h, AuthenticatedUser owner, Guid organizationId, AuthenticatedUser tech, AuthenticatedUser stranger, Guid otherOrganizationId)
    {
        _h = h;
        Owner = owner;
        OrganizationId = organizationId;
        Tech = tech;
        Stranger = stranger;
        OtherOrganizationId = otherOrganizationId;
    }

    public AuthenticatedUser Owner { get; }

    public Guid OrganizationId { get; }

    /// <summary>A member with every right but billing.</summary>
    public AuthenticatedUser Tech { get; }

    public AuthenticatedUser Stranger { get; }

    /// <summary>The owner's second organization, whose invoices and addresses the first must never reach.</summary>
    public Guid OtherOrganizationId { get; }

    /// <summary>The world, each organization's wallet topped up with <paramref name="walletBalance"/> when it is above 0.</summary>
    public static async Task<BillingWorld> CreateAsync(AccountsHarness h, long walletBalance = 0)
    {
        var (owner, id) = await h.OrganizationAsync();
        var tech = await h.JoinAsync(id, owner, "tech@example.com", MemberRights.Full with { Billing = false });
        var stranger = await h.UserAsync("stranger@example.com");
        var other = (await h.Organizations().CreateAsync(owner, Contacts.Person)).Value.Organization.Id;
        if (walletBalance > 0)
        {
            foreach (var organization in new[] { id, other })
            {
                var topUp = await h.Wallets().TopUpAsync(owner, organization, Money.FromTrusted(walletBalance, "CHF"), SimulatedPaymentGateway.Success, $"fund-{organization:N}");
                Assert.True(topUp.IsSuccess, topUp.Error?.Reason);
            }
        }

        return new BillingWorld(h, owner, id, tech, stranger, other);
    }

    /// <summary>A checkout of <paramref name="products"/> under <paramref name="requestId"/>, from the wallet unless told otherwise.</summary>
    public static CheckoutOrder Checkout(IEnumerable<Guid> products, string? requestId, Guid? address = null, string method = BillingService.WalletMethod, string? promotion = null, IEnumerable<Guid>? vouchers = null) =>
        new(products.ToArray(), address, method, promotion, (vouchers ?? []).ToHashSet(), requestId);

    /// <summary>A one-line order's invoice: paid from the wallet, or unpaid by bank transfer with its product pending.</summary>
    public async Task<Invoice> OrderAsync(bool paid, Guid? organizationId = null, ProductType type = ProductType.DomainName)
    {
        var n = ++_orders;
        var line = new CartLine(type, type == ProductType.DomainName ? $"meier-{n}.ch" : $"www.meier-{n}.ch", 12, false);
        var method = paid ? BillingService.WalletMethod : PaymentCollector.BankTransferMethod;
        var placed = await _h.Orders().ConfirmAsync(Owner, organizationId ?? OrganizationId, new Cart([line], null, null), method, $"order-{n}");
        Assert.True(placed.IsSuccess, placed.Error?.Reason);
        return placed.Value.Invoice;
    }
}
