using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;

namespace Hosting.Tests.EndToEnd;

/// <summary>
/// Kills the host (SIGKILL) at a point chosen by the seed while two clients stream payments and
/// top-ups, restarts it on the same database, and checks that every acknowledged movement is
/// there and the ledger is sound.
/// </summary>
public abstract class CrashSafetyTestsBase
{
    private const string AuditKey = "crash-audit-key-0123456789-abcdefghij";
    private const string EventsKey = "crash-events-key-0123456789-abcdefghi";

    /// <summary>Settings that put the host on this class's store, or null when it is not available here.</summary>
    protected abstract string[]? StoreSettings(string dataFolder);

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [Trait("Rule", "WAL-4")]
    [Trait("Rule", "WAL-2")]
    [Trait("Rule", "EVT-1")]
    public async Task HostKilledDuringPaymentsAndTopUps_KeepsEveryAcknowledgedMovement_AndTheLedgerSound(int seed)
    {
        var data = Directory.CreateTempSubdirectory("hosting-crash-").FullName;
        var store = StoreSettings(data);
        Skip.If(store is null, $"PostgreSQL lane not configured: set {PostgresHostFactory.Variable} (.ci/run does).");
        string[] settings = [.. store, "--ApiKeys:Keys:0:Name=auditor", $"--ApiKeys:Keys:0:Key={AuditKey}", "--ApiKeys:Keys:0:Scopes:0=audit",
            "--ApiKeys:Keys:1:Name=provisioning", $"--ApiKeys:Keys:1:Key={EventsKey}", "--ApiKeys:Keys:1:Scopes:0=events"];
        var random = new Random(seed);
        var killAfter = random.Next(10, 60);
        try
        {
            var acknowledged = new List<(string Transaction, long Delta)>();
            var paidInvoices = new List<string>();
            Metadata owner;
            string organization;
            await using (var host = await HostProcess.StartAsync(data, settings))
            {
                var accounts = new AccountsService.AccountsServiceClient(host.Channel());
                await accounts.SignUpAsync(new SignUpRequest { Login = "crash@example.com", Password = Passwords.Good });
                owner = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = "crash@example.com", Password = Passwords.Good })).SessionToken);
                await host.ConfirmLoginAsync("crash@example.com", owner);
                organization = (await new OrganizationsService.OrganizationsServiceClient(host.Channel()).CreateOrganizationAsync(new CreateOrganizationRequest
                {
                    ContactDetails = new Hosting.Organizations.V1.ContactDetails
                    {
                        Kind = HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
                    },
                }, owner)).Organization.Name;
                var channel = host.Channel();
                var wallet = new WalletService.WalletServiceClient(channel);
                var funded = await wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(500_000), PaymentMethod = "sim-success", RequestId = "fund" }, owner);
                acknowledged.Add((funded.Transaction.Name, 500_000));

                // Each client's script comes from the seed: mostly payments, some top-ups, random amounts.
                // A payment orders a product by bank transfer and pays its unpaid invoice (WAL-7).
                var scripts = Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 1_000).Select(_ => (TopUp: random.Next(5) == 0, Amount: (long)random.Next(1, 50) * 100)).ToArray()).ToArray();
                using var stop = new CancellationTokenSource();
                var streams = Enumerable.Range(0, 2).Select(client => Task.Run(async () =>
                {
                    for (var i = 0; i < scripts[client].Length && !stop.IsCancellationRequested; i++)
                    {
                        var (topUp, amount) = scripts[client][i];
                        try
                        {
                            if (topUp)
                            {
                                amount += 1_000;
                                var transaction = (await wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(amount), PaymentMethod = "sim-success", RequestId = $"t{client}-{i}" }, owner)).Transaction;
                                lock (acknowledged)
                                {
                                    acknowledged.Add((transaction.Name, amount));
                                }
                            }
                            else
                            {
                                var productType = amount % 500 == 0 ? (int)Hosting.Organizations.V1.ProductType.WebHosting : Shop.DomainName;
                                var invoice = await Shop.UnpaidInvoiceAsync(channel, organization, owner, $"o{client}-{i}", productType);
                                var transaction = (await wallet.PayFromWalletAsync(Shop.PayFromWallet(invoice, $"p{client}-{i}"), owner)).Transaction;
                                lock (acknowledged)
                                {
                                    acknowledged.Add((transaction.Name, -invoice.TotalMinor));
                                    paidInvoices.Add(invoice.Name);
                                }
                            }
                        }
                        catch (RpcException e) when (e.StatusCode == StatusCode.Aborted)
                        {
                            // Lost a race with the other client: the next movement goes on.
                        }
                        catch (RpcException)
                        {
                            return; // the host is gone
                        }
                    }
                })).ToArray();
                await host.KillAfterAsync(() => { lock (acknowledged) { return acknowledged.Count; } }, killAfter, streams, stop, () => "movements");
            }

            await using (var restarted = await HostProcess.StartAsync(data, settings))
            {
                var wallet = new WalletService.WalletServiceClient(restarted.Channel());
                var recorded = await Ledger.TransactionNamesAsync(wallet, organization, owner);

                Assert.Empty(acknowledged.Select(a => a.Transaction).Except(recorded));
                var balance = (await wallet.ListWalletsAsync(new ListWalletsRequest { Parent = organization }, owner)).Wallets.Single().Balance.Minor;
                Assert.True(balance >= 0);
                // Movements the client never heard back about may or may not be there; acknowledged ones must be.
                Assert.True(recorded.Count >= acknowledged.Count);
                Assert.Empty((await wallet.AuditLedgerAsync(new AuditLedgerRequest(), new Metadata { { "x-api-key", AuditKey } })).Violations);

                // A debit and its invoice's payment commit together (WAL-2, WAL-7): every acknowledged
                // payment's invoice is paid, and the ledger has exactly one payment per paid invoice.
                var billing = new BillingService.BillingServiceClient(restarted.Channel());
                foreach (var name in paidInvoices)
                {
                    Assert.Equal(Hosting.Billing.V1.InvoiceState.Paid, (await billing.GetInvoiceAsync(new GetInvoiceRequest { Name = name }, owner)).Invoice.State);
                }

                Assert.Equal(await CountPaymentsAsync(wallet, organization, owner), await CountPaidInvoicesAsync(billing, organization, owner));

                // EVT-1: the feed has exactly the movements that committed, each once, and an
                // invoice.paid event per paid invoice: no change without its event, no event without its change.
                // On PostgreSQL the feed shows an event once every older transaction of the server has
                // ended, and other suites share the server: read until the last movements show.
                var feed = new Hosting.Events.V1.EventsService.EventsServiceClient(restarted.Channel());
                var events = await EventsAsync(feed, organization);
                List<string> Moved() => events.Where(e => e.Type is "wallet.credited" or "wallet.debited").Select(e => e.Data["transaction"]).ToList();
                for (var wait = System.Diagnostics.Stopwatch.StartNew(); Moved().Count < recorded.Count && wait.Elapsed < TimeSpan.FromSeconds(60);)
                {
                    await Task.Delay(100);
                    events = await EventsAsync(feed, organization);
                }

                var moved = Moved();
                Assert.Equal(moved.Count, moved.Distinct().Count());
                Assert.Equal(recorded.Order(), moved.Order());
                Assert.Equal(await CountPaidInvoicesAsync(billing, organization, owner), events.Count(e => e.Type == "invoice.paid"));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static Money Chf(long minor) => new() { Minor = minor, Currency = "CHF" };

    private static async Task<List<Hosting.Events.V1.Event>> EventsAsync(Hosting.Events.V1.EventsService.EventsServiceClient events, string organization)
    {
        var all = new List<Hosting.Events.V1.Event>();
        var cursor = string.Empty;
        while (true)
        {
            var page = await events.ListEventsAsync(new Hosting.Events.V1.ListEventsRequest { Cursor = cursor, Organization = organization, PageSize = 500 }, new Metadata { { "x-api-key", EventsKey } });
            all.AddRange(page.Events);
            cursor = page.NextCursor;
            if (page.Events.Count < 500)
            {
                return all;
            }
        }
    }

    private static async Task<int> CountPaymentsAsync(WalletService.WalletServiceClient wallet, string organization, Metadata auth)
    {
        var count = 0;
        var token = string.Empty;
        do
        {
            var page = await wallet.ListLedgerTransactionsAsync(new ListLedgerTransactionsRequest { Parent = $"{organization}/wallets/CHF", PageSize = 200, PageToken = token }, auth);
            count += page.Transactions.Count(t => t.Kind == LedgerTransactionKind.Payment);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return count;
    }

    private static async Task<int> CountPaidInvoicesAsync(BillingService.BillingServiceClient billing, string organization, Metadata auth)
    {
        var count = 0;
        var token = string.Empty;
        do
        {
            var page = await billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization, State = Hosting.Billing.V1.InvoiceState.Paid, PageSize = 200, PageToken = token }, auth);
            count += page.Invoices.Count;
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return count;
    }
}

public sealed class CrashSafetyTests : CrashSafetyTestsBase
{
    protected override string[] StoreSettings(string dataFolder) => [];
}

public sealed class CrashSafetyTestsPostgres : CrashSafetyTestsBase
{
    protected override string[]? StoreSettings(string dataFolder) =>
        PostgresHostFactory.ServerConnectionString is { } server
            ? ["--Storage:Provider=Postgres", $"--Storage:ConnectionString={server};Database=hosting_crash_{Guid.NewGuid():N}"]
            : null;
}
