using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Persistence.Stores;
using Hosting.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Hosting.Tests.Core;

public sealed class MailDomainTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Theory]
    [Trait("Rule", "MBX-6")]
    [InlineData("Bücher.CH", "xn--bcher-kva.ch")]
    [InlineData(" xn--BCHER-kva.ch. ", "xn--bcher-kva.ch")]
    [InlineData("Example.COM", "example.com")]
    public void Domains_AreOneInCaseAndIdnForm(string name, string normalized) =>
        Assert.Equal(normalized, MailDomain.Normalize(name, "product_display_name").Value);

    [Theory]
    [Trait("Rule", "MBX-6")]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("two words.ch")]
    [InlineData("under_score.ch")]
    [InlineData("a..b.ch")]
    public void NamesThatAreNoDomain_AreRefused(string name) =>
        ResultAssert.Fails(MailDomain.Normalize(name, "product_display_name"), "INVALID_MAIL_DOMAIN");

    [Fact]
    [Trait("Rule", "MBX-6")]
    public async Task TwoOrdersPastTheCheckAtOnce_TheStoreLetsOneWin()
    {
        var first = await MailServiceAsync("Racing.ch");
        var second = await MailServiceAsync("racing.CH");
        using var a = _h.NewDb();
        using var b = _h.NewDb();
        var storeA = new EfOrganizationStore(a);
        var storeB = new EfOrganizationStore(b);

        // Both check before either commits, as two concurrent requests do.
        Assert.True((await new MailDomains(storeA).ClaimAsync(first, "product_display_name", _h.Clock.GetUtcNow(), default)).IsSuccess);
        Assert.True((await new MailDomains(storeB).ClaimAsync(second, "product_display_name", _h.Clock.GetUtcNow(), default)).IsSuccess);
        await storeA.SaveChangesAsync(default);
        var lost = await Assert.ThrowsAsync<DuplicateKeyException>(() => storeB.SaveChangesAsync(default));

        Assert.True(MailDomains.IsClaimConflict(lost));
    }

    [Fact]
    [Trait("Rule", "MBX-6")]
    public void TheMigration_GivesEachLiveDomainToItsOldestMailService()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var db = new Hosting.Persistence.HostingDbContext(new DbContextOptionsBuilder<Hosting.Persistence.HostingDbContext>().UseSqlite(connection).Options);
        var migrator = db.GetInfrastructure().GetRequiredService<IMigrator>();
        var migrations = db.Database.GetMigrations().ToList();
        // Products as the first schema had them; every later migration runs over them.
        migrator.Migrate(migrations.Single(m => m.EndsWith("_Organizations", StringComparison.Ordinal)));
        // Only the products matter here: foreign keys would ask for a whole organization.
        db.Database.ExecuteSqlRaw("PRAGMA foreign_keys = OFF");
        var organization = Guid.NewGuid();
        var products = new[] { (Guid.NewGuid(), "Old.ch", 2, 1L), (Guid.NewGuid(), "old.CH", 2, 2L), (Guid.NewGuid(), "gone.ch", 3, 3L), (Guid.NewGuid(), "bücher.ch", 2, 4L) };
        foreach (var (id, name, status, at) in products)
        {
            db.Database.ExecuteSqlRaw(
                """INSERT INTO "Products" ("Id", "OrganizationId", "Type", "Name", "Status", "PriceMinor", "Currency", "CreatedAt", "Version") VALUES ({0}, {1}, 3, {2}, {3}, 1800, 'CHF', {4}, 0)""",
                id, organization, name, status, at);
        }

        migrator.Migrate();

        var claims = db.Set<MailDomain>().AsNoTracking().ToList();
        Assert.Equal(products[0].Item1, Assert.Single(claims, c => c.Domain == "old.ch").ProductId);
        Assert.DoesNotContain(claims, c => c.Domain == "gone.ch");
    }

    private async Task<Product> MailServiceAsync(string domain)
    {
        var owner = await _h.UserAsync($"owner-{Guid.NewGuid():N}@example.com");
        var organization = (await _h.Organizations().CreateAsync(owner, Contacts.Person)).Value.Organization.Id;
        var product = Product.Order(_h.Random.NewId(), organization, ProductType.MailService, domain, Money.FromTrusted(1800, "CHF"), _h.Clock.GetUtcNow()).Value;
        using var db = _h.NewDb();
        db.Add(product);
        db.SaveChanges();
        return product;
    }
}
