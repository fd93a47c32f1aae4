using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Core.Shared;
using Hosting.Mailboxes.V1;
using Hosting.Organizations.V1;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using CoreProduct = Hosting.Core.Organizations.Product;
using CoreProductType = Hosting.Core.Organizations.ProductType;

namespace Hosting.Tests.Grpc;

public abstract class MailboxesGrpcTestsBase<TFactory>(TFactory host) : IClassFixture<TFactory>
    where TFactory : HostFactory
{
    private MailboxesService.MailboxesServiceClient _mailboxes => new(host.Channel());
    private OrganizationsService.OrganizationsServiceClient _organizations => new(host.Channel());
    private AccountsService.AccountsServiceClient _accounts => host.Accounts();

    private async Task<(Metadata Owner, string MailService)> MailServiceAsync()
    {
        var login = $"mail-{Guid.NewGuid():N}@example.com";
        var owner = await host.SignedUpAsync(login);
        var organization = (await _organizations.CreateOrganizationAsync(new CreateOrganizationRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
            },
        }, owner)).Organization.Name;
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HostingDbContext>();
        var domain = $"d{Guid.NewGuid():N}"[..16] + ".ch";
        var product = CoreProduct.Order(Guid.NewGuid(), Guid.Parse(organization.Split('/')[1]), CoreProductType.MailService, domain, Money.FromTrusted(1800, "CHF"), host.Clock.GetUtcNow()).Value;
        product.Activate(host.Clock.GetUtcNow().AddYears(1));
        db.Add(product);
        await db.SaveChangesAsync();
        return (owner, $"{organization}/products/{product.Id}");
    }

    private async Task<List<Mailbox>> MailboxesAsync(Metadata owner, string mailService)
    {
        var created = new List<Mailbox>();
        foreach (var localPart in new[] { "zoe", "ann", "max" })
        {
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            created.Add((await _mailboxes.CreateMailboxAsync(new CreateMailboxRequest { Parent = mailService, LocalPart = localPart, Password = "mailbox secret words 1" }, owner)).Mailbox);
        }

        return created;
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task ListMailboxes_PagesOldestFirst_WithoutRepeatOrLoss()
    {
        host.SkipUnlessAvailable();
        var (owner, mailService) = await MailServiceAsync();
        var created = await MailboxesAsync(owner, mailService);

        await Paging.AssertWalksAsync(created.Select(m => m.Name).ToList(), async (size, token) =>
        {
            var page = await _mailboxes.ListMailboxesAsync(new ListMailboxesRequest { Parent = mailService, PageSize = size, PageToken = token }, owner);
            return (page.Mailboxes.Select(m => m.Name), page.NextPageToken);
        });
        await Paging.AssertRefusesForeignTokenAsync(token => _mailboxes.ListMailboxesAsync(new ListMailboxesRequest { Parent = mailService, PageToken = token }, owner).ResponseAsync);
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task ListWebmailMailboxes_PagesInLinkOrder_WithoutRepeatOrLoss()
    {
        host.SkipUnlessAvailable();
        var (owner, mailService) = await MailServiceAsync();
        var created = await MailboxesAsync(owner, mailService);
        var linked = new List<string>();
        foreach (var mailbox in Enumerable.Reverse(created))
        {
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            linked.Add((await _mailboxes.LinkWebmailAsync(new LinkWebmailRequest { Address = mailbox.Address }, owner)).Mailbox.Address);
        }

        await Paging.AssertWalksAsync(linked, async (size, token) =>
        {
            var page = await _mailboxes.ListWebmailMailboxesAsync(new ListWebmailMailboxesRequest { PageSize = size, PageToken = token }, owner);
            return (page.Mailboxes.Select(m => m.Address), page.NextPageToken);
        });
        await Paging.AssertRefusesForeignTokenAsync(token => _mailboxes.ListWebmailMailboxesAsync(new ListWebmailMailboxesRequest { PageToken = token }, owner).ResponseAsync);
    }

    [SkippableFact]
    [Trait("Rule", "API-4")]
    public async Task ListProductCredentials_PagesOldestFirst_WithoutRepeatOrLoss()
    {
        host.SkipUnlessAvailable();
        var (owner, mailService) = await MailServiceAsync();
        var created = new List<string>();
        foreach (var (kind, username) in new[] { (CredentialKind.Ftp, "upload"), (CredentialKind.Ssh, "deploy"), (CredentialKind.Mysql, "shop") })
        {
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            created.Add((await _mailboxes.CreateProductCredentialAsync(
                new CreateProductCredentialRequest { Parent = mailService, Kind = kind, Username = username, Password = "credential secret words 1" }, owner)).Credential.Name);
        }

        await Paging.AssertWalksAsync(created, async (size, token) =>
        {
            var page = await _mailboxes.ListProductCredentialsAsync(new ListProductCredentialsRequest { Parent = mailService, PageSize = size, PageToken = token }, owner);
            return (page.Credentials.Select(c => c.Name), page.NextPageToken);
        });
        await Paging.AssertRefusesForeignTokenAsync(token => _mailboxes.ListProductCredentialsAsync(new ListProductCredentialsRequest { Parent = mailService, PageToken = token }, owner).ResponseAsync);
    }
}

/// <summary>The suite on SQLite, the embedded store.</summary>
public sealed class MailboxesGrpcTests(HostFactory host) : MailboxesGrpcTestsBase<HostFactory>(host);

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class MailboxesGrpcTestsPostgres(PostgresHostFactory host) : MailboxesGrpcTestsBase<PostgresHostFactory>(host);
