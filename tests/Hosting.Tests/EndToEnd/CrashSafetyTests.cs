using Grpc.Core;
using Hosting.Accounts.V1;
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

    /// <summary>Settings that put the host on this class's store, or null when it is not available here.</summary>
    protected abstract string[]? StoreSettings(string dataFolder);

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [Trait("Rule", "WAL-4")]
    [Trait("Rule", "WAL-2")]
    public async Task HostKilledDuringPaymentsAndTopUps_KeepsEveryAcknowledgedMovement_AndTheLedgerSound(int seed)
    {
        var data = Directory.CreateTempSubdirectory("hosting-crash-").FullName;
        var store = StoreSettings(data);
        Skip.If(store is null, $"PostgreSQL lane not configured: set {PostgresHostFactory.Variable} (.ci/run does).");
        string[] settings = [.. store, "--ApiKeys:Keys:0:Name=auditor", $"--ApiKeys:Keys:0:Key={AuditKey}", "--ApiKeys:Keys:0:Scopes:0=audit"];
        var random = new Random(seed);
        var killAfter = random.Next(10, 60);
        try
        {
            var acknowledged = new List<(string Transaction, long Delta)>();
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
                var funded = await wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(500_000), PaymentMethod = "sim-success", RequestId = "fund" }, owner);
                acknowledged.Add((funded.Transaction.Name, 500_000));

                // Each client's script comes from the seed: mostly payments, some top-ups, random amounts.
                var scripts = Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 1_000).Select(_ => (TopUp: random.Next(5) == 0, Amount: (long)random.Next(1, 50) * 100)).ToArray()).ToArray();
                using var stop = new CancellationTokenSource();
                var streams = Enumerable.Range(0, 2).Select(client => Task.Run(async () =>
                {
                    for (var i = 0; i < scripts[client].Length && !stop.IsCancellationRequested; i++)
                    {
                        var (topUp, amount) = scripts[client][i];
                        try
                        {
                            var transaction = topUp
                                ? (await wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(amount + 1_000), PaymentMethod = "sim-success", RequestId = $"t{client}-{i}" }, owner)).Transaction.Name
                                : (await wallet.PayFromWalletAsync(new PayFromWalletRequest { Parent = organization, Amount = Chf(amount), Reference = $"invoices/{client}-{i}", RequestId = $"p{client}-{i}" }, owner)).Transaction.Name;
                            lock (acknowledged)
                            {
                                acknowledged.Add((transaction, topUp ? amount + 1_000 : -amount));
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
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (true)
                {
                    lock (acknowledged)
                    {
                        if (acknowledged.Count >= killAfter)
                        {
                            break;
                        }
                    }

                    Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2) && !streams.All(t => t.IsCompleted), $"the workload stopped before {killAfter} movements");
                    await Task.Delay(5);
                }

                await host.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(streams);
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
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static Money Chf(long minor) => new() { Minor = minor, Currency = "CHF" };
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
