using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>A first order and a shop order refused before anything is written: no account, organization, product or domain claim is left behind.</summary>
public sealed class FirstOrderRefusalTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private (int Accounts, int Organizations, int Products, int Domains) Rows() => _h.Query(db => (
        db.Set<UserAccount>().Count(), db.Set<Organization>().Count(), db.Set<Product>().Count(), db.Set<MailDomain>().Count()));

    [Fact]
    [Trait("Rule", "ORG-1")]
    public async Task AFirstOrder_OfATypeNotSold_OrWithoutAProductName_IsRefused_AndCreatesNoAccount()
    {
        var unknown = await _h.Organizations().OrderFirstProductAsync(Contacts.Person, "ann@example.com", Passwords.Good, (ProductType)999, "meier.ch", Contexts.Home);
        var unnamed = await _h.Organizations().OrderFirstProductAsync(Contacts.Person, "ann@example.com", Passwords.Good, ProductType.DomainName, "  ", Contexts.Home);

        ResultAssert.Fails(unknown, "UNKNOWN_PRODUCT_TYPE");
        ResultAssert.Fails(unnamed, "INVALID_PRODUCT_NAME");
        Assert.Equal((0, 0, 0, 0), Rows());
        Assert.True((await _h.Organizations().OrderFirstProductAsync(Contacts.Person, "ann@example.com", Passwords.Good, ProductType.DomainName, "meier.ch", Contexts.Home)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "MBX-6")]
    public async Task AFirstOrder_OfAMailServiceForATakenDomain_IsRefused_AndCreatesNoAccount()
    {
        Assert.True((await _h.Organizations().OrderFirstProductAsync(Contacts.Person, "ann@example.com", Passwords.Good, ProductType.MailService, "meier.ch", Contexts.Home)).IsSuccess);
        var before = Rows();

        var taken = ResultAssert.Fails(
            await _h.Organizations().OrderFirstProductAsync(Contacts.Person, "bob@example.com", Passwords.Good, ProductType.MailService, "MEIER.ch", Contexts.Home),
            "MAIL_DOMAIN_TAKEN");
        var notADomain = await _h.Organizations().OrderFirstProductAsync(Contacts.Person, "bob@example.com", Passwords.Good, ProductType.MailService, "my mail", Contexts.Home);

        Assert.Equal("product_display_name", Assert.Single(taken.Fields).Field);
        ResultAssert.Fails(notADomain, "INVALID_MAIL_DOMAIN");
        Assert.Equal(before, Rows());
    }

    [Fact]
    [Trait("Rule", "MBX-6")]
    public async Task AShopOrder_NamingOneDomainForTwoMailServices_IsRefusedOnTheSecondLine()
    {
        var owner = await _h.UserAsync("owner@example.com");
        var id = (await _h.Organizations().CreateAsync(owner, Contacts.Company)).Value.Organization.Id;
        Assert.True((await _h.Wallets().TopUpAsync(owner, id, Money.FromTrusted(100_000, "CHF"), Hosting.Core.Wallets.SimulatedPaymentGateway.Success, "fund")).IsSuccess);
        var before = Rows();
        var cart = new Cart(
            [new CartLine(ProductType.DomainName, "meier.ch", 12, false), new CartLine(ProductType.MailService, "meier.ch", 12, false), new CartLine(ProductType.MailService, "Meier.CH", 12, false)],
            null,
            null);

        var refused = ResultAssert.Fails(await _h.Orders().ConfirmAsync(owner, id, cart, BillingService.WalletMethod, "order-1"), "MAIL_DOMAIN_TAKEN");

        Assert.Equal("lines[2].display_name", Assert.Single(refused.Fields).Field);
        Assert.Equal(before, Rows());
        var single = cart with { Lines = cart.Lines.Take(2).ToList() };
        Assert.True((await _h.Orders().ConfirmAsync(owner, id, single, BillingService.WalletMethod, "order-2")).IsSuccess);
        Assert.Equal("meier.ch", Assert.Single(_h.Query(db => db.Set<MailDomain>().ToList())).Domain);
    }
}
