using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Net.Client;

namespace Hosting.Tests.EndToEnd;

/// <summary>The host started as the README says (`dotnet run --project src/GrpcHost`), as its own process.</summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    private readonly Process _process;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private HostProcess(Process process, System.Collections.Concurrent.ConcurrentQueue<string> output, string address, string pickupDirectory)
    {
        _process = process;
        _output = output;
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

    /// <summary>The block the host writes once it listens (what listens where, store, environment, mail).</summary>
    public async Task<string> StartupBlockAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var lines = _output.ToArray();
            var start = Array.FindIndex(lines, l => l.Contains("The hosting accounts service listens:", StringComparison.Ordinal));
            if (start >= 0 && lines.Skip(start).Any(l => l.TrimStart().StartsWith("mail:", StringComparison.Ordinal)))
            {
                return string.Join(Environment.NewLine, lines.Skip(start).TakeWhile((l, i) => i == 0 || l.StartsWith(' ')).Select(l => Spaces().Replace(l.Trim(), " ")));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cts.Token);
        }
    }

    /// <summary>Proves a new account's login with the code from its email, as its holder would (ACC-12).</summary>
    public async Task ConfirmLoginAsync(string login, global::Grpc.Core.Metadata auth) =>
        await new Hosting.Accounts.V1.AccountsService.AccountsServiceClient(Channel())
            .ConfirmLoginAsync(new Hosting.Accounts.V1.ConfirmLoginRequest { Code = await LoginCodeAsync(login) }, auth);

    /// <summary>Starts the host on a SQLite file in <paramref name="dataFolder"/>, on a free port.</summary>
    public static Task<HostProcess> StartAsync(string dataFolder, params string[] settings) =>
        StartAsync(dataFolder, new Dictionary<string, string?>(), ["--urls", "http://127.0.0.1:0", .. settings]);

    /// <summary>Starts the host with exactly these settings and environment variables (no address given unless in <paramref name="settings"/>).</summary>
    public static async Task<HostProcess> StartAsync(string dataFolder, IDictionary<string, string?> environment, string[] settings)
    {
        var process = Process.Start(StartInfo(dataFolder, environment, settings, out var pickup))!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        return new HostProcess(process, output, await ListeningAddressAsync(process, output, TimeSpan.FromSeconds(90)), pickup);
    }

    /// <summary>Runs a host expected not to start: its exit code and everything it wrote.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(string dataFolder, IDictionary<string, string?> environment, params string[] settings)
    {
        using var process = Process.Start(StartInfo(dataFolder, environment, settings, out _))!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Everything the host has written so far (after it started listening, it is drained here).</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    private static ProcessStartInfo StartInfo(string dataFolder, IDictionary<string, string?> environment, string[] settings, out string pickup)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Support.RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // The README's command; --no-build because the test run has just built it, in the same configuration.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        // Emails go to a pickup folder, where journeys read login codes as a person reads the email.
        pickup = Path.Combine(dataFolder, "pickup");
        var args = new[]
        {
            "run", "--project", "src/GrpcHost", "--no-build", "--configuration", configuration, "--", $"--Storage:ConnectionString=Data Source={dataFolder}/hosting.db",
            "--Notifications:Sender=Pickup", $"--Notifications:Pickup:Directory={pickup}", "--Notifications:PollInterval=00:00:00.200",
        };
        foreach (var arg in args.Concat(settings))
        {
            start.ArgumentList.Add(arg);
        }

        return start;
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

    /// <summary>
    /// Kills the host once its workload has had <paramref name="after"/> changes acknowledged, then stops
    /// the workload's clients; fails if the workload ends or stalls for two minutes before that.
    /// </summary>
    public async Task KillAfterAsync(Func<int> acknowledged, int after, Task[] workload, CancellationTokenSource stop, Func<string> what)
    {
        var waited = Stopwatch.StartNew();
        while (acknowledged() < after)
        {
            if (waited.Elapsed >= TimeSpan.FromMinutes(2) || workload.All(t => t.IsCompleted))
            {
                Xunit.Assert.Fail($"the workload stopped before {after} {what()}");
            }

            await Task.Delay(5);
        }

        await KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(workload);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static async Task<string> ListeningAddressAsync(Process process, System.Collections.Concurrent.ConcurrentQueue<string> output, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var errors = DrainAsync(process.StandardError, output);
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            output.Enqueue(line);
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                // Keep draining the output so the host never blocks on a full pipe.
                _ = DrainAsync(process.StandardOutput, output);
                // Every interface ([::], 0.0.0.0) is reached through loopback.
                return match.Groups[1].Value.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal);
            }
        }

        await process.WaitForExitAsync(cts.Token);
        await errors;
        throw new InvalidOperationException("The host exited before listening: " + string.Join(Environment.NewLine, output));
    }

    private static async Task DrainAsync(StreamReader reader, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            output.Enqueue(line);
            if (Environment.GetEnvironmentVariable("HOSTING_TEST_HOST_LOG") is { Length: > 0 } log)
            {
                await File.AppendAllTextAsync(log, line + Environment.NewLine);
            }
        }
    }

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Spaces();

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
