using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CoreProductType = Hosting.Core.Organizations.ProductType;

namespace Hosting.Tests.Grpc;

/// <summary>The shop and unpaid invoices through the host, on each store (ORD-1..ORD-4).</summary>
public abstract class OrdersGrpcTestsBase<TFactory>(TFactory host) : IClassFixture<TFactory>
    where TFactory : HostFactory
{
    private static readonly Metadata Support = new() { { "x-api-key", HostFactory.SupportKey } };

    private BillingService.BillingServiceClient Billing => new(host.Channel());
    private OrganizationsService.OrganizationsServiceClient Organizations => new(host.Channel());
    private WalletService.WalletServiceClient Wallet => new(host.Channel());
    private SupportService.SupportServiceClient SupportClient => new(host.Channel());

    private async Task<(Metadata Auth, string Login)> UserAsync()
    {
        var login = $"shop-{Guid.NewGuid():N}@example.com";
        return (await host.SignedUpAsync(login), login);
    }

    private async Task<(Metadata Owner, string Organization)> OrganizationAsync(long balance)
    {
        var (owner, organization, _) = await OrganizationWithLoginAsync(balance);
        return (owner, organization);
    }

    private async Task<(Metadata Owner, string Organization, string Login)> OrganizationWithLoginAsync(long balance)
    {
        var (owner, login) = await UserAsync();
        var organization = (await Organizations.CreateOrganizationAsync(new CreateOrganizationRequest
        {
            ContactDetails = new Hosting.Organizations.V1.ContactDetails
            {
                Kind = HolderKind.Company, FirstName = "Ann", LastName = "Meier", CompanyName = "Meier Web", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
            },
        }, owner)).Organization.Name;
        if (balance > 0)
        {
            await Wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = new Hosting.Wallets.V1.Money { Minor = balance, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "fund" }, owner);
        }

        return (owner, organization, login);
    }

    private static Hosting.Billing.V1.CartLine Domain(string name = "meier.ch") => new() { ProductType = (int)CoreProductType.DomainName, DisplayName = name, PeriodMonths = 12 };

    private static ConfirmOrderRequest Order(string organization, string method, string requestId, string promotion = "") =>
        new() { Parent = organization, Lines = { Domain() }, PaymentMethod = method, RequestId = requestId, PromotionCode = promotion };

    private T Query<T>(Func<HostingDbContext, T> query)
    {
        using var scope = host.Services.CreateScope();
        return query(scope.ServiceProvider.GetRequiredService<HostingDbContext>());
    }

    private long Balance(string organization)
    {
        var id = Guid.Parse(organization.Split('/')[1]);
        return Query(db => db.Set<Hosting.Core.Wallets.Wallet>().Where(w => w.OrganizationId == id).Sum(w => w.Balance));
    }

    [SkippableTheory]
    [Trait("Rule", "ORD-3")]
    [Trait("Rule", "BIL-5")]
    [Trait("Rule", "BIL-8")]
    [InlineData(3, 3)]
    [InlineData(10, 5)]
    public async Task ParallelConfirmations_SucceedExactlyAsMoneyAndCodeAllow_WithoutOverdraftOrGaps(int ordersFunded, int expectedSuccesses)
    {
        host.SkipUnlessAvailable();
        var code = $"PAR{Guid.NewGuid():N}"[..16].ToUpperInvariant();
        await SupportClient.CreatePromotionCodeAsync(new CreatePromotionCodeRequest
        {
            Code = code, PercentOffBasisPoints = 1_000, Currency = "CHF", MaxRedemptions = 5,
            ValidFrom = Timestamp.FromDateTimeOffset(host.Clock.GetUtcNow().AddDays(-1)), ValidUntil = Timestamp.FromDateTimeOffset(host.Clock.GetUtcNow().AddDays(30)),
        }, Support);
        var (owner, organization) = await OrganizationAsync(0);
        var price = (await Billing.GetCartSummaryAsync(new GetCartSummaryRequest { Parent = organization, Lines = { Domain() }, PromotionCode = code }, owner)).TotalMinor;
        await Wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = new Hosting.Wallets.V1.Money { Minor = price * ordersFunded, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "fund" }, owner);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                return (await Billing.ConfirmOrderAsync(Order(organization, "wallet", $"par-{i}", code), owner)).Invoice.Number;
            }
            catch (RpcException e)
            {
                var reason = e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason;
                Assert.Contains(reason, new[] { "INSUFFICIENT_FUNDS", "PROMOTION_CODE_EXHAUSTED" });
                return null;
            }
        }));

        var numbers = outcomes.OfType<string>().Select(long.Parse).Order().ToList();
        Assert.Equal(expectedSuccesses, numbers.Count);
        Assert.Equal(price * (ordersFunded - expectedSuccesses), Balance(organization));
        Assert.Equal(expectedSuccesses, Query(db => db.Set<Hosting.Core.Billing.PromotionCode>().Single(p => p.Code == code).Redemptions));
        Assert.Equal(expectedSuccesses, Query(db => db.Set<Hosting.Core.Organizations.Product>().Count(p => p.OrganizationId == Guid.Parse(organization.Split('/')[1]))));
        var all = Query(db => db.Set<Hosting.Core.Billing.Invoice>().Select(i => i.SequenceNumber).OrderBy(n => n).ToList());
        Assert.Equal(Enumerable.Range(1, all.Count).Select(n => (long)n), all);
    }

    [SkippableFact]
    [Trait("Rule", "ORD-4")]
    [Trait("Rule", "ORD-3")]
    public async Task CancellingAndPayingTheSameUnpaidInvoiceAtOnce_ExactlyOneWins()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationAsync(100_000);
        for (var round = 0; round < 8; round++)
        {
            var before = Balance(organization);
            var placed = await Billing.ConfirmOrderAsync(Order(organization, "bank-transfer", $"race-{round}"), owner);
            var name = placed.Invoice.Name;
            var pay = Task.Run(async () => await Billing.PayInvoiceAsync(new PayInvoiceRequest { Name = name, PaymentMethod = "wallet", RequestId = $"pay-{round}" }, owner));
            var cancel = Task.Run(async () => await (round % 2 == 0
                ? Billing.CancelInvoiceAsync(new CancelInvoiceRequest { Name = name }, owner).ResponseAsync.ContinueWith(t => t.Result.Invoice)
                : SupportClient.CancelUnpaidInvoiceAsync(new CancelUnpaidInvoiceRequest { Invoice = name, Reason = "Customer asked" }, Support).ResponseAsync.ContinueWith(t => t.Result.Invoice)));
            var paid = await Outcome(pay.ContinueWith(t => t.Result.Invoice));
            var cancelled = await Outcome(cancel);

            Assert.True(paid ^ cancelled, $"round {round}: paid {paid}, cancelled {cancelled}");
            var invoice = (await Billing.GetInvoiceAsync(new GetInvoiceRequest { Name = name }, owner)).Invoice;
            var product = Guid.Parse(placed.Products.Single().Split('/')[3]);
            var productRow = Query(db => db.Set<Hosting.Core.Organizations.Product>().AsNoTracking().SingleOrDefault(p => p.Id == product));
            if (paid)
            {
                Assert.Equal(Hosting.Billing.V1.InvoiceState.Paid, invoice.State);
                Assert.Equal(before - invoice.TotalMinor, Balance(organization));
                Assert.Equal(Hosting.Core.Organizations.ProductStatus.Active, productRow!.Status);
            }
            else
            {
                Assert.Equal(Hosting.Billing.V1.InvoiceState.Cancelled, invoice.State);
                Assert.Equal(before, Balance(organization));
                Assert.Null(productRow);
            }
        }

        static async Task<bool> Outcome(Task<Hosting.Billing.V1.Invoice> call)
        {
            try
            {
                await call;
                return true;
            }
            catch (AggregateException e) when (e.InnerException is RpcException { StatusCode: StatusCode.FailedPrecondition })
            {
                return false;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                return false;
            }
        }
    }

    [SkippableFact]
    [Trait("Rule", "ORD-1")]
    public async Task OnlyAdministratorsOrder_LimitedMembersAndOutsidersAreRefused()
    {
        host.SkipUnlessAvailable();
        var (owner, organization) = await OrganizationAsync(50_000);
        var (limited, limitedLogin) = await UserAsync();
        var (outsider, _) = await UserAsync();
        var invitation = await Organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = limitedLogin, Rights = new Hosting.Organizations.V1.MemberRights { Billing = true } }, owner);
        await Organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Invitation.Name }, limited);

        await RpcAssert.FailsAsync(() => Billing.ConfirmOrderAsync(Order(organization, "wallet", "l1"), limited).ResponseAsync, StatusCode.PermissionDenied, "ORDER_RIGHTS_REQUIRED");
        await RpcAssert.FailsAsync(() => Billing.GetCartSummaryAsync(new GetCartSummaryRequest { Parent = organization, Lines = { Domain() } }, limited).ResponseAsync, StatusCode.PermissionDenied, "ORDER_RIGHTS_REQUIRED");
        await RpcAssert.FailsAsync(() => Billing.ConfirmOrderAsync(Order(organization, "wallet", "o1"), outsider).ResponseAsync, StatusCode.NotFound, "ORGANIZATION_NOT_FOUND");
        await RpcAssert.FailsAsync(() => Billing.ConfirmOrderAsync(Order(organization, "wallet", "o1"), []).ResponseAsync, StatusCode.Unauthenticated, "SESSION_REQUIRED");
        Assert.Equal(50_000, Balance(organization));
        Assert.Empty((await Billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization }, owner)).Invoices);
    }

    [SkippableFact]
    [Trait("Rule", "ORD-2")]
    [Trait("Rule", "ORD-3")]
    [Trait("Rule", "ORD-4")]
    [Trait("Rule", "BIL-5")]
    public async Task BankTransferOrder_ThroughTheHost_IsUnpaidInToPay_OverdueLater_AndDownloadableOncePaid()
    {
        host.SkipUnlessAvailable();
        var (owner, organization, login) = await OrganizationWithLoginAsync(50_000);
        var offers = (await Billing.ListCatalogueAsync(new ListCatalogueRequest { ProductType = (int)CoreProductType.WebHosting }, owner)).Offers;
        Assert.Equal([1, 12, 24], offers.Select(o => o.PeriodMonths));
        await RpcAssert.FailsAsync(
            () => Billing.GetCartSummaryAsync(new GetCartSummaryRequest { Parent = organization, Lines = { new Hosting.Billing.V1.CartLine { ProductType = (int)CoreProductType.DomainName, DisplayName = "x.ch", PeriodMonths = 7 } } }, owner).ResponseAsync,
            StatusCode.InvalidArgument, "BILLING_PERIOD_NOT_OFFERED");

        var placed = await Billing.ConfirmOrderAsync(Order(organization, "bank-transfer", "bt-1"), owner);
        Assert.Equal(Hosting.Billing.V1.InvoiceState.Unpaid, placed.Invoice.State);
        Assert.Equal("bank-transfer", placed.Invoice.PaymentMethod);
        var pdf = await RpcAssert.FailsAsync(() => Billing.GetInvoicePdfAsync(new GetInvoicePdfRequest { Name = placed.Invoice.Name }, owner).ResponseAsync, StatusCode.FailedPrecondition, "INVOICE_NOT_PAID");
        Assert.NotNull(pdf);
        var toPay = await Billing.ListToPayAsync(new ListToPayRequest { Parent = organization }, owner);
        Assert.False(Assert.Single(toPay.UnpaidInvoices).Overdue);
        Assert.Empty(toPay.Items);

        host.Clock.Advance(TimeSpan.FromDays(31));
        owner = Bearer.Of((await host.Accounts().SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken);
        Assert.True(Assert.Single((await Billing.ListToPayAsync(new ListToPayRequest { Parent = organization }, owner)).UnpaidInvoices).Overdue);
        var unpaidOnly = await Billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization, State = Hosting.Billing.V1.InvoiceState.Unpaid }, owner);
        Assert.Equal(placed.Invoice.Name, Assert.Single(unpaidOnly.Invoices).Name);

        var paid = await Billing.PayInvoiceAsync(new PayInvoiceRequest { Name = placed.Invoice.Name, PaymentMethod = "wallet", RequestId = "pay-bt-1" }, owner);
        Assert.Equal(Hosting.Billing.V1.InvoiceState.Paid, paid.Invoice.State);
        Assert.False(paid.Invoice.Overdue);
        Assert.NotEmpty((await Billing.GetInvoicePdfAsync(new GetInvoicePdfRequest { Name = placed.Invoice.Name }, owner)).Pdf);
        Assert.Empty((await Billing.ListToPayAsync(new ListToPayRequest { Parent = organization }, owner)).UnpaidInvoices);
        Assert.Empty((await Billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization, State = Hosting.Billing.V1.InvoiceState.Unpaid }, owner)).Invoices);
    }
}

/// <summary>The suite on SQLite, the embedded store.</summary>
public sealed class OrdersGrpcTests(HostFactory host) : OrdersGrpcTestsBase<HostFactory>(host);

/// <summary>The same suite on PostgreSQL.</summary>
public sealed class OrdersGrpcTestsPostgres(PostgresHostFactory host) : OrdersGrpcTestsBase<PostgresHostFactory>(host);
