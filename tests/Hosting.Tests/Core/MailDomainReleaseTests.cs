using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>MBX-6: a mail service's domain is freed when that mail service ends, and by nothing else.</summary>
public sealed class MailDomainReleaseTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<(AuthenticatedUser Owner, Guid OrganizationId)> OrganizationAsync(string login)
    {
        var owner = await _h.UserAsync(login);
        return (owner, (await _h.Organizations().CreateAsync(owner, Contacts.Company)).Value.Organization.Id);
    }

    private static Cart MailService(string domain) => new([new CartLine(ProductType.MailService, domain, 12, false)], null, null);

    private Guid AddProduct(Guid organizationId, ProductType type, string name)
    {
        var product = Product.Order(_h.Random.NewId(), organizationId, type, name, Money.FromTrusted(1_800, "CHF"), _h.Clock.GetUtcNow()).Value;
        product.Activate(_h.Clock.GetUtcNow().AddYears(1));
        using var db = _h.NewDb();
        db.Add(product);
        db.SaveChanges();
        return product.Id;
    }

    private List<MailDomain> Claims() => _h.Query(db => db.Set<MailDomain>().ToList());

    [Fact]
    [Trait("Rule", "MBX-6")]
    public async Task EndingAnotherProductOfTheSameName_LeavesTheClaim_AndEndingTheMailServiceFreesIt()
    {
        var (owner, id) = await OrganizationAsync("owner@example.com");
        var placed = (await _h.Orders().ConfirmAsync(owner, id, MailService("meier.ch"), PaymentCollector.BankTransferMethod, "order-1")).Value;
        var mailService = Assert.Single(placed.Products).Id;
        var (rival, rivalId) = await OrganizationAsync("rival@example.com");
        var theirDomain = AddProduct(rivalId, ProductType.DomainName, "meier.ch");
        var theirMailService = AddProduct(rivalId, ProductType.MailService, "Meier.CH");

        Assert.True((await _h.Organizations().TerminateProductAsync(rival, rivalId, theirDomain)).IsSuccess);
        Assert.True((await _h.Organizations().TerminateProductAsync(rival, rivalId, theirMailService)).IsSuccess);

        Assert.Equal(mailService, Assert.Single(Claims()).ProductId);
        ResultAssert.Fails(await _h.Orders().ConfirmAsync(rival, rivalId, MailService("meier.ch"), PaymentCollector.BankTransferMethod, "order-2"), "MAIL_DOMAIN_TAKEN");

        Assert.True((await _h.Organizations().TerminateProductAsync(owner, id, mailService)).IsSuccess);

        Assert.Empty(Claims());
        var taken = await _h.Orders().ConfirmAsync(rival, rivalId, MailService("meier.ch"), PaymentCollector.BankTransferMethod, "order-3");
        Assert.True(taken.IsSuccess, taken.Error?.Reason);
        Assert.Equal(rivalId, Assert.Single(Claims()).OrganizationId);
    }
}
