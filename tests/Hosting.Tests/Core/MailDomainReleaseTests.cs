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

    private static Cart MailService(string domain) => new([new CartLine(ProductType.MailService, domain, 12, false)], null, null);

    private Guid AddProduct(Guid organizationId, ProductType type, string name) =>
        _h.AddProduct(organizationId, type, name, _h.Clock.GetUtcNow().AddYears(1), 1_800).Id;

    private List<MailDomain> Claims() => _h.Query(db => db.Set<MailDomain>().ToList());

    [Fact]
    [Trait("Rule", "MBX-6")]
    public async Task EndingAnotherProductOfTheSameName_LeavesTheClaim_AndEndingTheMailServiceFreesIt()
    {
        var (owner, id) = await _h.OrganizationAsync("owner@example.com");
        var placed = (await _h.Orders().ConfirmAsync(owner, id, MailService("meier.ch"), PaymentCollector.BankTransferMethod, "order-1")).Value;
        var mailService = Assert.Single(placed.Products).Id;
        var (rival, rivalId) = await _h.OrganizationAsync("rival@example.com");
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
