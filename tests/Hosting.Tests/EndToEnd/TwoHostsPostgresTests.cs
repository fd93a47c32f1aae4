using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;

namespace Hosting.Tests.EndToEnd;

/// <summary>Two stateless hosts on one PostgreSQL database, as a provider runs them behind a load balancer.</summary>
public sealed class TwoHostsPostgresTests
{
    private const string AuditKey = "two-hosts-audit-key-0123456789-abcdef";

    [SkippableFact]
    [Trait("Rule", "ACC-4")]
    public async Task TwoHostsOnOneDatabase_ShareOneRateLimitBudget()
    {
        Skip.If(PostgresHostFactory.ServerConnectionString is null, $"PostgreSQL lane not configured: set {PostgresHostFactory.Variable} (.ci/run does).");
        var data = Directory.CreateTempSubdirectory("hosting-two-hosts-limits-").FullName;
        var connection = $"{PostgresHostFactory.ServerConnectionString};Database=hosting_two_hosts_limits_{Guid.NewGuid():N}";
        // Four sign-ins per address a day: a window long enough that no boundary falls within the test.
        string[] settings = ["--Storage:Provider=Postgres", $"--Storage:ConnectionString={connection}", "--RateLimiting:Policies:SignIn:PerAddress=4", "--RateLimiting:Policies:SignIn:Window=1.00:00:00"];
        try
        {
            var started = await Task.WhenAll(HostProcess.StartAsync(data, settings), HostProcess.StartAsync(data, settings));
            await using var first = started[0];
            await using var second = started[1];
            // Another login each time, so that the login's own throttle (ACC-4) never answers in the budget's place.
            var attempt = 0;
            async Task<StatusCode> SignInAsync(HostProcess via)
            {
                try
                {
                    var login = $"nobody{Interlocked.Increment(ref attempt)}@example.com";
                    await new AccountsService.AccountsServiceClient(via.Channel()).SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
                    return StatusCode.OK;
                }
                catch (RpcException e)
                {
                    return e.StatusCode;
                }
            }

            // Two calls through each host spend the whole budget of the one address they come from.
            for (var i = 0; i < 4; i++)
            {
                Assert.NotEqual(StatusCode.ResourceExhausted, await SignInAsync(started[i % 2]));
            }

            Assert.Equal(StatusCode.ResourceExhausted, await SignInAsync(first));
            Assert.Equal(StatusCode.ResourceExhausted, await SignInAsync(second));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [SkippableFact]
    [Trait("Rule", "WAL-2")]
    [Trait("Rule", "BIL-5")]
    public async Task ConcurrentPaymentsAndCheckoutsThroughTwoHosts_NeverOverdraw_AndNumberInvoicesWithoutGaps()
    {
        Skip.If(PostgresHostFactory.ServerConnectionString is null, $"PostgreSQL lane not configured: set {PostgresHostFactory.Variable} (.ci/run does).");
        var data = Directory.CreateTempSubdirectory("hosting-two-hosts-").FullName;
        var connection = $"{PostgresHostFactory.ServerConnectionString};Database=hosting_two_hosts_{Guid.NewGuid():N}";
        string[] settings = ["--Storage:Provider=Postgres", $"--Storage:ConnectionString={connection}", "--ApiKeys:Keys:0:Name=auditor", $"--ApiKeys:Keys:0:Key={AuditKey}", "--ApiKeys:Keys:0:Scopes:0=audit"];
        try
        {
            // Both start at once: one migrates, the other waits for the migration lock.
            var started = await Task.WhenAll(HostProcess.StartAsync(data, settings), HostProcess.StartAsync(data, settings));
            await using var first = started[0];
            await using var second = started[1];
            var hosts = new[] { first, second };

            var buyers = new List<(Metadata Auth, string Organization, string Product)>();
            for (var i = 0; i < 6; i++)
            {
                var via = hosts[i % 2];
                var login = $"two-hosts-{i}-{Guid.NewGuid():N}@example.com";
                var order = await new OrganizationsService.OrganizationsServiceClient(via.Channel()).OrderFirstProductAsync(new OrderFirstProductRequest
                {
                    ContactDetails = new Hosting.Organizations.V1.ContactDetails
                    {
                        Kind = HolderKind.Individual, FirstName = "Ann", LastName = $"Meier {i}", Street = "Rue 1", PostalCode = "1200", City = "Geneva", Country = "CH",
                    },
                    Login = login, Password = Passwords.Good, ProductType = Hosting.Organizations.V1.ProductType.DomainName, ProductDisplayName = $"d{i}.ch",
                });
                var auth = Bearer.Of((await new AccountsService.AccountsServiceClient(via.Channel()).SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken);
                await via.ConfirmLoginAsync(login, auth);
                buyers.Add((auth, order.Organization.Name, order.Product.Name));
            }

            // One wallet, 10 payments' worth of money, 30 unpaid invoices paid from it over both hosts.
            var (payer, wallet, _) = buyers[0];
            var invoices = new List<Invoice>();
            for (var i = 0; i < 30; i++)
            {
                invoices.Add(await Shop.UnpaidInvoiceAsync(hosts[i % 2].Channel(), wallet, payer, $"order-{i}"));
            }

            await new WalletService.WalletServiceClient(first.Channel()).TopUpWalletAsync(new TopUpWalletRequest
            {
                Parent = wallet, Amount = new Hosting.Wallets.V1.Money { Minor = invoices[0].TotalMinor * 10, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "fund",
            }, payer);
            var payments = await Task.WhenAll(invoices.Select(async (invoice, i) =>
            {
                try
                {
                    await new WalletService.WalletServiceClient(hosts[i % 2].Channel()).PayFromWalletAsync(Shop.PayFromWallet(invoice, $"pay-{i}"), payer);
                    return true;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
                {
                    return false;
                }
            }));
            Assert.Equal(10, payments.Count(ok => ok));
            Assert.Equal(20, (await new BillingService.BillingServiceClient(second.Channel()).ListToPayAsync(new ListToPayRequest { Parent = wallet }, payer)).UnpaidInvoices.Count);

            // Checkouts of every buyer, three times each, through both hosts at once.
            var checkouts = await Task.WhenAll(buyers.SelectMany((b, i) => Enumerable.Range(0, 3).Select(async j =>
                (await new BillingService.BillingServiceClient(hosts[(i + j) % 2].Channel()).CheckoutAsync(new CheckoutRequest
                {
                    Parent = b.Organization, Products = { b.Product }, PaymentMethod = "sim-success", RequestId = $"checkout-{j}",
                }, b.Auth)).Invoice.Number)));
            var numbers = checkouts.Select(n => long.Parse(n, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
            // The 30 bank-transfer orders took numbers 1 to 30; the checkouts follow without gaps.
            Assert.Equal(Enumerable.Range(31, 18).Select(n => (long)n), numbers);

            var audit = await new WalletService.WalletServiceClient(second.Channel()).AuditLedgerAsync(new AuditLedgerRequest(), new Metadata { { "x-api-key", AuditKey } });
            Assert.Empty(audit.Violations);
            var balance = (await new WalletService.WalletServiceClient(second.Channel()).ListWalletsAsync(new ListWalletsRequest { Parent = wallet }, payer)).Wallets.Single().Balance.Minor;
            Assert.Equal(0, balance);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
