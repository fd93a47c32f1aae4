using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Net.Client;

namespace Hosting.Tests.EndToEnd;

/// <summary>The host started as the README says (`dotnet run --project src/GrpcHost`), as its own process.</summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    private readonly Process _process;

    private HostProcess(Process process, string address, string pickupDirectory)
    {
        _process = process;
        Address = address;
        PickupDirectory = pickupDirectory;
    }

    public string Address { get; }

    /// <summary>Where the host writes its emails (the pickup sender), unless a test chose another sender.</summary>
    public string PickupDirectory { get; }

    public GrpcChannel Channel() => GrpcChannel.ForAddress(Address);

    /// <summary>
    /// The latest login confirmation code sent to <paramref name="login"/>, read from the email the
    /// host wrote (ACC-12). The host's dispatcher writes it shortly after the call that queued it.
    /// </summary>
    public async Task<string> LoginCodeAsync(string login)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (Directory.Exists(PickupDirectory))
            {
                foreach (var file in Directory.GetFiles(PickupDirectory, "*.eml").OrderDescending(StringComparer.Ordinal))
                {
                    var text = await File.ReadAllTextAsync(file, cts.Token);
                    if (text.Contains("X-Hosting-Notification: login-confirmation", StringComparison.Ordinal) && text.Contains($"To: {login}", StringComparison.Ordinal))
                    {
                        return Support.LoginCodes.From(text);
                    }
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cts.Token);
        }
    }

    /// <summary>Proves a new account's login with the code from its email, as its holder would (ACC-12).</summary>
    public async Task ConfirmLoginAsync(string login, global::Grpc.Core.Metadata auth) =>
        await new Hosting.Accounts.V1.AccountsService.AccountsServiceClient(Channel())
            .ConfirmLoginAsync(new Hosting.Accounts.V1.ConfirmLoginRequest { Code = await LoginCodeAsync(login) }, auth);

    /// <summary>Starts the host on a SQLite file in <paramref name="dataFolder"/>, on a free port.</summary>
    public static async Task<HostProcess> StartAsync(string dataFolder, params string[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Support.RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The README's command; --no-build because the test run has just built it, in the same configuration.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        // Emails go to a pickup folder, where journeys read login codes as a person reads the email.
        var pickup = Path.Combine(dataFolder, "pickup");
        var args = new[]
        {
            "run", "--project", "src/GrpcHost", "--no-build", "--configuration", configuration, "--", "--urls", "http://127.0.0.1:0", $"--Storage:ConnectionString=Data Source={dataFolder}/hosting.db",
            "--Notifications:Sender=Pickup", $"--Notifications:Pickup:Directory={pickup}", "--Notifications:PollInterval=00:00:00.200",
        };
        foreach (var arg in args.Concat(settings))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        return new HostProcess(process, await ListeningAddressAsync(process, TimeSpan.FromSeconds(90)), pickup);
    }

    /// <summary>Ends the host at once, as a crash or SIGKILL would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static async Task<string> ListeningAddressAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                // Keep draining the output so the host never blocks on a full pipe.
                _ = DrainAsync(process.StandardOutput);
                _ = DrainAsync(process.StandardError);
                return match.Groups[1].Value;
            }
        }

        throw new InvalidOperationException("The host exited before listening: " + await process.StandardError.ReadToEndAsync(cts.Token));
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            if (Environment.GetEnvironmentVariable("HOSTING_TEST_HOST_LOG") is { Length: > 0 } log)
            {
                await File.AppendAllTextAsync(log, line + Environment.NewLine);
            }
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}

/// <summary>One host process shared by a test class, on a temporary data folder.</summary>
public sealed class RunningHost : IAsyncLifetime
{
    /// <summary>The mail servers' API key configured on the host.</summary>
    public const string MailServerKey = "mail-server-key-0123456789-abcdefghij";

    /// <summary>The support staff's API key configured on the host.</summary>
    public const string SupportKey = "support-staff-key-0123456789-abcdefgh";

    private HostProcess? _host;

    public string DataFolder { get; } = Directory.CreateTempSubdirectory("hosting-e2e-").FullName;

    public GrpcChannel Channel() => _host!.Channel();

    /// <summary>Proves a new account's login with the code from its email (ACC-12).</summary>
    public Task ConfirmLoginAsync(string login, global::Grpc.Core.Metadata auth) => _host!.ConfirmLoginAsync(login, auth);

    public async Task InitializeAsync() => _host = await HostProcess.StartAsync(
        DataFolder,
        "--ApiKeys:Keys:0:Name=mail-servers", $"--ApiKeys:Keys:0:Key={MailServerKey}", "--ApiKeys:Keys:0:Scopes:0=mailbox.credentials",
        "--ApiKeys:Keys:1:Name=support", $"--ApiKeys:Keys:1:Key={SupportKey}", "--ApiKeys:Keys:1:Scopes:0=support");

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        Directory.Delete(DataFolder, recursive: true);
    }
}
