using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Net.Client;

namespace Hosting.Tests.EndToEnd;

/// <summary>The host started as the README says (`dotnet run --project src/GrpcHost`), as its own process, on a temporary data folder.</summary>
public sealed partial class RunningHost : IAsyncLifetime
{
    private Process? _process;

    public string DataFolder { get; } = Directory.CreateTempSubdirectory("hosting-e2e-").FullName;

    public string Address { get; private set; } = string.Empty;

    public GrpcChannel Channel() => GrpcChannel.ForAddress(Address);

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Support.RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The README's command; --no-build because the test run has just built it, in the same configuration.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        foreach (var arg in new[] { "run", "--project", "src/GrpcHost", "--no-build", "--configuration", configuration, "--", "--urls", "http://127.0.0.1:0", $"--Storage:ConnectionString=Data Source={DataFolder}/hosting.db" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        Address = await ListeningAddressAsync(_process, TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        Directory.Delete(DataFolder, recursive: true);
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
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                return match.Groups[1].Value;
            }
        }

        throw new InvalidOperationException("The host exited before listening: " + await process.StandardError.ReadToEndAsync(cts.Token));
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
