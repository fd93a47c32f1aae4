using System.Diagnostics;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Hosting.Accounts.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;

namespace Hosting.Tests.EndToEnd;

/// <summary>
/// Stops PostgreSQL under a running host and a stream of payments, then starts it again. Runs
/// alone in the PostgreSQL lane, which passes the commands that stop and start its server.
/// </summary>
public sealed class StoreOutagePostgresTests
{
    public const string StopVariable = "HOSTING_TEST_POSTGRES_STOP";
    public const string StartVariable = "HOSTING_TEST_POSTGRES_START";
    private const string AuditKey = "outage-audit-key-0123456789-abcdefghi";

    [SkippableFact]
    [Trait("Rule", "WAL-4")]
    public async Task StoreDown_CallsFailUnavailable_HealthIsNotServing_AndTheHostRecoversByItself()
    {
        var stop = Environment.GetEnvironmentVariable(StopVariable);
        var start = Environment.GetEnvironmentVariable(StartVariable);
        Skip.If(PostgresHostFactory.ServerConnectionString is null || string.IsNullOrEmpty(stop) || string.IsNullOrEmpty(start),
            $"Store outage lane not configured: set {PostgresHostFactory.Variable}, {StopVariable} and {StartVariable} (.ci/postgres-lane.sh does).");
        var data = Directory.CreateTempSubdirectory("hosting-outage-").FullName;
        string[] settings =
        [
            "--Storage:Provider=Postgres", $"--Storage:ConnectionString={PostgresHostFactory.ServerConnectionString};Database=hosting_outage_{Guid.NewGuid():N};Timeout=3;Command Timeout=5",
            "--ApiKeys:Keys:0:Name=auditor", $"--ApiKeys:Keys:0:Key={AuditKey}", "--ApiKeys:Keys:0:Scopes:0=audit",
        ];
        try
        {
            await using var host = await HostProcess.StartAsync(data, settings);
            var accounts = new AccountsService.AccountsServiceClient(host.Channel());
            var wallet = new WalletService.WalletServiceClient(host.Channel());
            var health = new Health.HealthClient(host.Channel());
            await accounts.SignUpAsync(new SignUpRequest { Login = "outage@example.com", Password = Passwords.Good });
            var owner = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = "outage@example.com", Password = Passwords.Good })).SessionToken);
            await host.ConfirmLoginAsync("outage@example.com", owner);
            var organization = (await new OrganizationsService.OrganizationsServiceClient(host.Channel()).CreateOrganizationAsync(new CreateOrganizationRequest
            {
                ContactDetails = new Hosting.Organizations.V1.ContactDetails
                {
                    Kind = HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
                },
            }, owner)).Organization.Name;
            await wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(100_000), PaymentMethod = "sim-success", RequestId = "fund" }, owner);
            // Every payment pays one of the organization's unpaid invoices (WAL-7); at most 15 are made.
            var invoices = new List<Hosting.Billing.V1.Invoice>();
            for (var n = 0; n < 15; n++)
            {
                invoices.Add(await Shop.UnpaidInvoiceAsync(host.Channel(), organization, owner, $"order-{n}"));
            }

            var acknowledged = new List<string>();
            var i = 0;

            async Task<StatusCode> PayAsync()
            {
                try
                {
                    var paid = await wallet.PayFromWalletAsync(Shop.PayFromWallet(invoices[i], $"p{i++}"), owner, deadline: DateTime.UtcNow.AddSeconds(20));
                    acknowledged.Add(paid.Transaction.Name);
                    return StatusCode.OK;
                }
                catch (RpcException e)
                {
                    Assert.True(e.StatusCode == StatusCode.Unavailable, $"expected UNAVAILABLE while the store is down, got {e.StatusCode}: {e.Status.Detail}");
                    Assert.Equal("STORE_UNAVAILABLE", e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
                    return e.StatusCode;
                }
            }

            for (var n = 0; n < 5; n++)
            {
                Assert.Equal(StatusCode.OK, await PayAsync());
            }

            await RunAsync(stop!);
            var failed = 0;
            for (var n = 0; n < 5; n++)
            {
                if (await PayAsync() == StatusCode.Unavailable)
                {
                    failed++;
                }
            }

            Assert.True(failed >= 4, $"only {failed} of 5 calls failed with the store down");
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(20))).Status);

            await RunAsync(start!);
            var recovered = Stopwatch.StartNew();
            while ((await health.CheckAsync(new HealthCheckRequest())).Status != HealthCheckResponse.Types.ServingStatus.Serving)
            {
                Assert.True(recovered.Elapsed < TimeSpan.FromSeconds(60), "health did not return to SERVING");
                await Task.Delay(200);
            }

            // The pool may hold connections broken by the restart: a call or two may still be UNAVAILABLE.
            var outcome = StatusCode.Unavailable;
            for (var attempt = 0; attempt < 5 && outcome != StatusCode.OK; attempt++)
            {
                outcome = await PayAsync();
            }

            Assert.Equal(StatusCode.OK, outcome);
            Assert.Empty(acknowledged.Except(await Ledger.TransactionNamesAsync(wallet, organization, owner)));
            Assert.Empty((await wallet.AuditLedgerAsync(new AuditLedgerRequest(), new Metadata { { "x-api-key", AuditKey } })).Violations);
        }
        finally
        {
            // Leave the server running for whatever runs next, even when the test failed midway.
            await RunAsync(start!, check: false);
            Directory.Delete(data, recursive: true);
        }
    }

    [SkippableFact]
    [Trait("Rule", "API-1")]
    public async Task StoreDownAtStart_HostWaitsNotServing_AndServesOnceItComes()
    {
        var stop = Environment.GetEnvironmentVariable(StopVariable);
        var start = Environment.GetEnvironmentVariable(StartVariable);
        Skip.If(PostgresHostFactory.ServerConnectionString is null || string.IsNullOrEmpty(stop) || string.IsNullOrEmpty(start),
            $"Store outage lane not configured: set {PostgresHostFactory.Variable}, {StopVariable} and {StartVariable} (.ci/postgres-lane.sh does).");
        var data = Directory.CreateTempSubdirectory("hosting-late-store-").FullName;
        try
        {
            await RunAsync(stop!);
            await using var host = await HostProcess.StartAsync(data,
                "--Storage:Provider=Postgres", $"--Storage:ConnectionString={PostgresHostFactory.ServerConnectionString};Database=hosting_late_{Guid.NewGuid():N};Timeout=3",
                "--Storage:FirstRetryDelay=00:00:00.200", "--Storage:MaxRetryDelay=00:00:01");
            var health = new Health.HealthClient(host.Channel());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);

            await RunAsync(start!);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while ((await health.CheckAsync(new HealthCheckRequest(), cancellationToken: cts.Token)).Status != HealthCheckResponse.Types.ServingStatus.Serving)
            {
                await Task.Delay(100, cts.Token);
            }

            var accounts = new AccountsService.AccountsServiceClient(host.Channel());
            await accounts.SignUpAsync(new SignUpRequest { Login = "late-store@example.com", Password = Passwords.Good });
            Assert.Contains("The store is reachable and migrated", host.Output, StringComparison.Ordinal);
        }
        finally
        {
            await RunAsync(start!, check: false);
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task RunAsync(string command, bool check = true)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(!check || process.ExitCode == 0, $"'{command}' failed: {output}");
    }

    private static Money Chf(long minor) => new() { Minor = minor, Currency = "CHF" };
}
