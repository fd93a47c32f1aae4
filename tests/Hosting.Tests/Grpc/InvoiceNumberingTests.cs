using Grpc.Core;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CoreProduct = Hosting.Core.Organizations.Product;
using CoreProductType = Hosting.Core.Organizations.ProductType;

namespace Hosting.Tests.Grpc;

/// <summary>
/// The invoice number is taken as the last statement of the payment's commit: concurrent checkouts
/// of different organizations never conflict over it, so none needs a retry, on either store.
/// </summary>
public sealed class InvoiceNumberingTests
{
    [Fact]
    [Trait("Rule", "BIL-5")]
    public Task ConcurrentCheckouts_WithoutRetries_AllSucceed_WithGaplessNumbers_OnSqlite() =>
        ConcurrentCheckoutsWithoutRetriesAsync(new HostFactory { Settings = NoRetries });

    [SkippableFact]
    [Trait("Rule", "BIL-5")]
    public Task ConcurrentCheckouts_WithoutRetries_AllSucceed_WithGaplessNumbers_OnPostgres() =>
        ConcurrentCheckoutsWithoutRetriesAsync(new PostgresHostFactory { Settings = NoRetries });

    // One attempt each: a checkout that lost a race over the sequence row would fail instead of retrying.
    private static Dictionary<string, string?> NoRetries => new() { ["Billing:MaxAttempts"] = "1", ["Wallet:MaxAttempts"] = "1" };

    private static async Task ConcurrentCheckoutsWithoutRetriesAsync(HostFactory host)
    {
        await using var _ = host;
        host.SkipUnlessAvailable();
        var buyers = new List<(Metadata Owner, string Organization, string Product)>();
        for (var i = 0; i < 8; i++)
        {
            var owner = await host.SignedUpAsync($"numbering-{Guid.NewGuid():N}@example.com");
            var organization = (await new OrganizationsService.OrganizationsServiceClient(host.Channel()).CreateOrganizationAsync(new CreateOrganizationRequest
            {
                ContactDetails = new ContactDetails { Kind = HolderKind.Company, FirstName = "Ann", LastName = "Meier", CompanyName = "Meier Web", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH" },
            }, owner)).Organization.Name;
            await new WalletService.WalletServiceClient(host.Channel()).TopUpWalletAsync(
                new TopUpWalletRequest { Parent = organization, Amount = new Hosting.Wallets.V1.Money { Minor = 100_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "fund" }, owner);
            using var scope = host.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
            var product = CoreProduct.Order(Guid.NewGuid(), Guid.Parse(organization.Split('/')[1]), CoreProductType.DomainName, "item", Hosting.Core.Shared.Money.FromTrusted(0, "CHF"), host.Clock.GetUtcNow()).Value;
            db.Add(product);
            await db.SaveChangesAsync();
            buyers.Add((owner, organization, $"{organization}/products/{product.Id}"));
        }

        var numbers = await Task.WhenAll(buyers.Select(async b =>
            (await new BillingService.BillingServiceClient(host.Channel()).CheckoutAsync(
                new CheckoutRequest { Parent = b.Organization, Products = { b.Product }, PaymentMethod = "wallet", RequestId = "pay" }, b.Owner)).Invoice.Number));

        Assert.Equal(Enumerable.Range(1, 8).Select(n => n.ToString("D8", System.Globalization.CultureInfo.InvariantCulture)), numbers.Order());
        using var check = host.Services.CreateScope();
        var stored = await check.ServiceProvider.GetRequiredService<HostingDbContext>().Set<Hosting.Core.Billing.Invoice>().Select(i => i.SequenceNumber).OrderBy(n => n).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 8).Select(n => (long)n), stored);
    }
}
