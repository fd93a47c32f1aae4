using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Hosting.LoadDriver;

/// <summary>The host started from its Release build output as its own process; only this process is ever stopped.</summary>
internal sealed partial class HostProcess : IAsyncDisposable
{
    private readonly Process _process;

    private HostProcess(Process process, string address, string logPath, string pickupDirectory)
    {
        _process = process;
        Address = address;
        LogPath = logPath;
        PickupDirectory = pickupDirectory;
    }

    /// <summary>Where the host writes its emails, one file each (the pickup sender).</summary>
    public string PickupDirectory { get; }

    /// <summary>The login confirmation code emailed to <paramref name="login"/> (ACC-12), once the host's dispatcher wrote it.</summary>
    public async Task<string> LoginCodeAsync(string login)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (true)
        {
            foreach (var file in Directory.GetFiles(PickupDirectory, "*.eml").OrderDescending(StringComparer.Ordinal))
            {
                var text = await File.ReadAllTextAsync(file, cts.Token);
                if (text.Contains("X-Hosting-Notification: login-confirmation", StringComparison.Ordinal)
                    && text.Contains($"To: {login}", StringComparison.Ordinal)
                    && LoginCode().Match(text) is { Success: true } code)
                {
                    return code.Groups[1].Value;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cts.Token);
        }
    }

    /// <summary>Where the host's output is kept.</summary>
    public string LogPath { get; }

    /// <summary>The first exception the host logged ("SqliteException: ..."), if any.</summary>
    public string? FirstLoggedException()
    {
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var match = ExceptionLine().Match(line);
            if (match.Success)
            {
                return $"{match.Groups[1].Value}: {match.Groups[2].Value.Trim()}";
            }
        }

        return null;
    }

    public string Address { get; }

    public int Pid => _process.Id;

    public static async Task<HostProcess> StartAsync(string repository, params string[] settings)
    {
        var folder = Path.Combine(repository, "src/GrpcHost/bin/Release/net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var pickup = Directory.CreateTempSubdirectory("hosting-pickup-").FullName;
        var args = new[]
        {
            Path.Combine(folder, "Hosting.GrpcHost.dll"), "--urls", "http://127.0.0.1:0",
            "--Notifications:Sender=Pickup", $"--Notifications:Pickup:Directory={pickup}", "--Notifications:PollInterval=00:00:00.100",
            "--RateLimiting:Enabled=false", "--Renewals:Enabled=false",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        };
        // HOSTING_BENCH_HOST_SETTINGS adds settings to every host, last, for diagnosis; for example
        // "--Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command=Information" logs each statement.
        var extra = Environment.GetEnvironmentVariable("HOSTING_BENCH_HOST_SETTINGS")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        foreach (var arg in args.Concat(settings).Concat(extra))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                // Keep the host's output (warnings and errors only, see the logging switches) for diagnosis.
                var logs = Directory.CreateDirectory(Path.Combine(repository, "artifacts/bench/hosts")).FullName;
                var logPath = Path.Combine(logs, $"{process.Id}.log");
                var log = TextWriter.Synchronized(new StreamWriter(new FileStream(logPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true });
                _ = DrainAsync(process.StandardOutput, log);
                _ = DrainAsync(process.StandardError, log);
                return new HostProcess(process, match.Groups[1].Value, logPath, pickup);
            }
        }

        throw new InvalidOperationException("The host exited before listening: " + await process.StandardError.ReadToEndAsync(cts.Token));
    }

    /// <summary>A line of /proc/PID/status in bytes (VmHWM: peak resident set, VmRSS: current).</summary>
    public long StatusBytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kib = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(PickupDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private static async Task DrainAsync(StreamReader reader, TextWriter log)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            await log.WriteLineAsync(line);
        }
    }

    [GeneratedRegex(@"once\): (\d{8})")]
    private static partial Regex LoginCode();

    [GeneratedRegex(@"(\w+Exception) \(0x[0-9A-Fa-f]+\): (.*)")]
    private static partial Regex ExceptionLine();

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
