using Grpc.Health.V1;

namespace Hosting.Tests.EndToEnd;

/// <summary>How the host started as a process reads its addresses and keys, and how it refuses what it cannot run with.</summary>
public sealed class HostStartupTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    private readonly string _data = Directory.CreateTempSubdirectory("hosting-startup-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    [Trait("Rule", "API-1")]
    public async Task UrlsWithAHostNameStarAndAnyIPv6_ListenOnEveryInterface_AsKestrelReadsThem()
    {
        await using var host = await HostProcess.StartAsync(_data, NoEnvironment, ["--urls", "http://myhost:0;http://*:0;http://+:0;http://[::]:0"]);

        var health = await new Health.HealthClient(host.Channel()).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal(4, host.Output.Split('\n').Count(l => l.Contains("Now listening on: http://[::]:", StringComparison.Ordinal)));
    }

    [Fact]
    [Trait("Rule", "API-1")]
    public async Task Startup_SaysInOneBlockWhatListensWhere_TheStoreFile_TheEnvironment_AndTheMail()
    {
        var mail = Path.Combine(_data, "mail");
        await using var host = await HostProcess.StartAsync(_data, NoEnvironment,
            ["--urls", "http://127.0.0.1:0", "--JsonTranscoding:Url=http://127.0.0.1:0", "--Notifications:Sender=Files", $"--Notifications:Directory={mail}"]);

        var block = await host.StartupBlockAsync();

        Assert.Contains($"gRPC (HTTP/2 cleartext, h2c): {host.Address}", block, StringComparison.Ordinal);
        Assert.Matches(@"HTTP/JSON \(HTTP/1\.1\): +http://127\.0\.0\.1:[1-9][0-9]*", block);
        Assert.Contains($"store: SQLite, file {Path.Combine(_data, "hosting.db")}", block, StringComparison.Ordinal);
        Assert.Contains("environment: Production", block, StringComparison.Ordinal);
        Assert.Contains($"mail: Files: one .eml per email in {mail}", block, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "API-1")]
    public async Task Startup_NamesThePostgresServer_NeverThePasswordOfItsConnectionString()
    {
        const string password = "pg-secret-7f3a9c";
        // Nothing listens on port 1: the host starts anyway (health NOT_SERVING) and says where it looks.
        await using var host = await HostProcess.StartAsync(_data, NoEnvironment,
            ["--urls", "http://127.0.0.1:0", "--Storage:Provider=Postgres", $"--Storage:ConnectionString=Host=127.0.0.1;Port=1;Username=hosting;Password={password};Database=accounts", "--Storage:FirstRetryDelay=00:10:00"]);

        var block = await host.StartupBlockAsync();

        Assert.Contains("PostgreSQL, host 127.0.0.1:1, database accounts, user hosting", block, StringComparison.Ordinal);
        Assert.Contains("HTTP/JSON: off", block, StringComparison.Ordinal);
        Assert.DoesNotContain(password, host.Output, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "API-2")]
    public async Task ApiKeyShorterThan32Characters_RefusesToStart_NamingTheEntryButNeverTheKey()
    {
        const string shortKey = "tiny-key-123";
        var (exitCode, output) = await HostProcess.RunUntilExitAsync(_data, NoEnvironment,
            "--urls", "http://127.0.0.1:0",
            "--ApiKeys:Keys:0:Name=mail-servers", $"--ApiKeys:Keys:0:Key={RunningHost.MailServerKey}", "--ApiKeys:Keys:0:Scopes:0=mailbox.credentials",
            "--ApiKeys:Keys:1:Name=support", $"--ApiKeys:Keys:1:Key={shortKey}", "--ApiKeys:Keys:1:Scopes:0=support");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ApiKeys:Keys:1 (support)", output, StringComparison.Ordinal);
        Assert.Contains("at least 32 characters", output, StringComparison.Ordinal);
        Assert.DoesNotContain(shortKey, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "API-1")]
    public async Task SecondHostOnABusyPort_SaysOnlyThatTheAddressIsInUse_AndExitsNonZero()
    {
        await using var first = await HostProcess.StartAsync(_data, NoEnvironment, ["--urls", "http://127.0.0.1:0", "--JsonTranscoding:Url=http://127.0.0.1:0"]);
        var second = Directory.CreateDirectory(Path.Combine(_data, "second")).FullName;

        var (exitCode, output) = await HostProcess.RunUntilExitAsync(second, NoEnvironment, "--urls", first.Address);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"The address {first.Address} is already in use", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("crit:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", output, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "API-1")]
    public async Task UrlsOnTheCommandLine_AreHonouredWithoutAWarning_AndSayJsonIsOff()
    {
        await using var host = await HostProcess.StartAsync(_data, NoEnvironment, ["--urls", "http://127.0.0.1:0"]);

        await new Health.HealthClient(host.Channel()).CheckAsync(new HealthCheckRequest());

        Assert.DoesNotContain("Overriding address", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warn: Microsoft.AspNetCore", host.Output, StringComparison.Ordinal);
        Assert.Contains("HTTP/JSON transcoding is off", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "API-1")]
    public async Task AspNetCoreUrls_ChoosesTheGrpcAddress_AndKeepsHttpJsonOnItsDefault_Quietly()
    {
        // As the README documents: only --urls on the command line unsets the default JSON endpoint.
        var environment = new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" };
        await using var host = await HostProcess.StartAsync(_data, environment, []);

        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri("http://127.0.0.1:50052/v1/accounts:signIn"),
            new StringContent("""{"login":"nobody@example.com","password":"violet-harbour-lantern"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.NotEqual("http://127.0.0.1:50051", host.Address);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("Overriding address", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warn: Microsoft.AspNetCore", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "API-1")]
    public async Task PostgresNotUpAtStart_HostServesNotServing_CallsAreUnavailable_AndItKeepsTrying()
    {
        // A port nobody listens on: PostgreSQL "not started yet".
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var host = await HostProcess.StartAsync(_data, NoEnvironment,
        [
            "--urls", "http://127.0.0.1:0", "--Storage:Provider=Postgres", $"--Storage:ConnectionString=Host=127.0.0.1;Port={port};Username=postgres;Database=hosting;Timeout=2",
            "--Storage:FirstRetryDelay=00:00:00.100", "--Storage:MaxRetryDelay=00:00:00.200",
        ]);

        var health = await new Health.HealthClient(host.Channel()).CheckAsync(new HealthCheckRequest());
        await Support.RpcAssert.FailsAsync(
            () => new Hosting.Accounts.V1.AccountsService.AccountsServiceClient(host.Channel())
                .SignUpAsync(new Hosting.Accounts.V1.SignUpRequest { Login = "early@example.com", Password = Support.Passwords.Good }).ResponseAsync,
            global::Grpc.Core.StatusCode.Unavailable, "STORE_UNAVAILABLE");

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, health.Status);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (host.Output.Split("The store cannot be reached").Length < 3)
        {
            await Task.Delay(100, cts.Token); // a second try, logged as the first was
        }
        Assert.DoesNotContain("Unhandled exception", host.Output, StringComparison.Ordinal);
    }
}
