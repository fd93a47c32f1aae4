using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;

namespace Hosting.Tests.EndToEnd;

public sealed class CrashSafetyTests
{
    private const string AuditKey = "crash-audit-key-0123456789-abcdefghij";

    [Fact]
    [Trait("Rule", "WAL-4")]
    [Trait("Rule", "WAL-2")]
    public async Task HostKilledDuringAStreamOfPayments_KeepsEveryAcknowledgedPayment_AndTheLedgerSound()
    {
        var data = Directory.CreateTempSubdirectory("hosting-crash-").FullName;
        string[] settings = ["--ApiKeys:Keys:0:Name=auditor", $"--ApiKeys:Keys:0:Key={AuditKey}", "--ApiKeys:Keys:0:Scopes:0=audit"];
        try
        {
            var acknowledged = new List<string>();
            Metadata owner;
            string organization;
            await using (var host = await HostProcess.StartAsync(data, settings))
            {
                var accounts = new AccountsService.AccountsServiceClient(host.Channel());
                await accounts.SignUpAsync(new SignUpRequest { Login = "crash@example.com", Password = Passwords.Good });
                owner = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = "crash@example.com", Password = Passwords.Good })).SessionToken);
                organization = (await new OrganizationsService.OrganizationsServiceClient(host.Channel()).CreateOrganizationAsync(new CreateOrganizationRequest
                {
                    ContactDetails = new Hosting.Organizations.V1.ContactDetails
                    {
                        Kind = HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
                    },
                }, owner)).Organization.Name;
                var wallet = new WalletService.WalletServiceClient(host.Channel());
                await wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = new Money { Minor = 500_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "fund" }, owner);

                // Payments stream in from two clients; the host is killed while they are in flight.
                using var stop = new CancellationTokenSource();
                var streams = Enumerable.Range(0, 2).Select(client => Task.Run(async () =>
                {
                    for (var i = 0; !stop.IsCancellationRequested; i++)
                    {
                        try
                        {
                            var paid = await wallet.PayFromWalletAsync(new PayFromWalletRequest
                            {
                                Parent = organization, Amount = new Money { Minor = 100, Currency = "CHF" }, Reference = $"invoices/{client}-{i}", RequestId = $"p{client}-{i}",
                            }, owner);
                            lock (acknowledged)
                            {
                                acknowledged.Add(paid.Transaction.Name);
                            }
                        }
                        catch (RpcException)
                        {
                            return;
                        }
                    }
                })).ToArray();
                while (true)
                {
                    lock (acknowledged)
                    {
                        if (acknowledged.Count >= 40)
                        {
                            break;
                        }
                    }

                    await Task.Delay(10);
                }

                await host.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(streams);
            }

            await using (var restarted = await HostProcess.StartAsync(data, settings))
            {
                var wallet = new WalletService.WalletServiceClient(restarted.Channel());
                var recorded = new HashSet<string>();
                string token = string.Empty;
                do
                {
                    var page = await wallet.ListLedgerTransactionsAsync(new ListLedgerTransactionsRequest { Parent = $"{organization}/wallets/CHF", PageSize = 200, PageToken = token }, owner);
                    recorded.UnionWith(page.Transactions.Select(t => t.Name));
                    token = page.NextPageToken;
                }
                while (token.Length > 0);

                Assert.Empty(acknowledged.Except(recorded));
                var balance = (await wallet.ListWalletsAsync(new ListWalletsRequest { Parent = organization }, owner)).Wallets.Single().Balance.Minor;
                Assert.Equal(500_000 - (100 * (recorded.Count - 1)), balance);
                Assert.Empty((await wallet.AuditLedgerAsync(new AuditLedgerRequest(), new Metadata { { "x-api-key", AuditKey } })).Violations);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }
}
