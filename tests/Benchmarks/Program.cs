using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Hosting.Benchmarks;

// Usage: Hosting.Benchmarks <output.json> [artifacts folder]
// Runs the BenchmarkDotNet suite in process, then the reference `argon2` command at the same
// parameters, and writes the figures as one JSON object for the load driver's report.
var output = args.Length > 0 ? args[0] : "artifacts/bench/hashing.json";
var artifacts = args.Length > 1 ? args[1] : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, "bdn");

var parameters = PasswordHashingBenchmarks.Parameters;
var job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithWarmupCount(2)
    .WithIterationCount(12)
    .WithLaunchCount(1)
    .WithUnrollFactor(1)
    .WithInvocationCount(1);
var config = ManualConfig.CreateEmpty()
    .AddJob(job)
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddExporter(JsonExporter.Full)
    .AddColumnProvider(DefaultColumnProviders.Instance)
    .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
    .WithArtifactsPath(artifacts)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
var summary = BenchmarkRunner.Run<PasswordHashingBenchmarks>(config);

var results = new Dictionary<string, object>();
foreach (var report in summary.Reports)
{
    var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
    results[name] = new
    {
        MeanNs = report.ResultStatistics?.Mean,
        MedianNs = report.ResultStatistics?.Median,
        AllocatedBytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase),
    };
}

// Interleaved rounds (Isopoh, Sodium, library, command, in turn) so that load from other processes
// on the machine falls on all of them alike; the ratios in the report come from these medians.
var interleaved = new Dictionary<string, List<double>> { ["Isopoh"] = [], ["Sodium"] = [], ["ReferenceC"] = [], ["ReferenceCommand"] = [] };
var bench = new PasswordHashingBenchmarks();
bench.Setup();
for (var round = 0; round < 15; round++)
{
    foreach (var (name, run) in new (string, Func<object>)[] { ("Isopoh", bench.Isopoh), ("Sodium", bench.Sodium), ("ReferenceC", bench.ReferenceC) })
    {
        var watch = Stopwatch.StartNew();
        run();
        if (round >= 2)
        {
            interleaved[name].Add(watch.Elapsed.TotalMilliseconds * 1e6);
        }
    }

    var commandSeconds = await ReferenceCommandAsync();
    if (round >= 2 && commandSeconds is { } cs)
    {
        interleaved["ReferenceCommand"].Add(cs * 1e9);
    }
}

bench.Cleanup();
results["Interleaved"] = interleaved.ToDictionary(kv => kv.Key, kv => Median(kv.Value));

// The reference command: it prints the time of the hash alone ("0.086 seconds", CPU time of the
// single-lane hash), so process start-up is not counted against it.
var seconds = new List<double>();
for (var i = 0; i < 12; i++)
{
    if (await ReferenceCommandAsync() is { } value && i >= 2)
    {
        seconds.Add(value);
    }
}

seconds.Sort();
results["ReferenceCommand"] = new
{
    MeanNs = seconds.Count > 0 ? seconds.Average() * 1e9 : (double?)null,
    MedianNs = seconds.Count > 0 ? seconds[seconds.Count / 2] * 1e9 : (double?)null,
    AllocatedBytes = (long?)null,
};
results["Parameters"] = new { parameters.MemoryKib, parameters.Iterations, parameters.Parallelism };

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
await File.WriteAllTextAsync(output, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"wrote {output}");

static double? Median(List<double> values)
{
    if (values.Count == 0)
    {
        return null;
    }

    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}

async Task<double?> ReferenceCommandAsync()
{
    var start = new ProcessStartInfo("argon2") { RedirectStandardInput = true, RedirectStandardOutput = true };
    foreach (var a in new[] { "somesaltsomesalt", "-id", "-t", parameters.Iterations.ToString(CultureInfo.InvariantCulture), "-k", parameters.MemoryKib.ToString(CultureInfo.InvariantCulture), "-p", parameters.Parallelism.ToString(CultureInfo.InvariantCulture), "-l", "32" })
    {
        start.ArgumentList.Add(a);
    }

    using var process = Process.Start(start)!;
    await process.StandardInput.WriteAsync("violet-harbour-lantern");
    process.StandardInput.Close();
    var text = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    var line = text.Split('\n').FirstOrDefault(l => l.EndsWith(" seconds", StringComparison.Ordinal));
    return line is null ? null : double.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture);
}
