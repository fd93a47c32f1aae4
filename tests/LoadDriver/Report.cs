using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hosting.LoadDriver;

/// <summary>One line of the table: our figure, the reference measured in the same run, their ratio and the goal.</summary>
internal sealed record Row(string Id, string Scenario, double Ours, string Unit, double Reference, string ReferenceName, double Ratio, string Goal, bool Met);

/// <summary>Collects the figures and writes docs/performance.md and docs/performance.json.</summary>
internal sealed class Report(Options options)
{
    private const double MiB = 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, WriteIndented = true };
    private const double BurstBoundMiB = 512;
    private readonly List<Row> _rows = [];
    private readonly List<LoadResult> _runs = [];
    private readonly Dictionary<string, string> _notes = [];
    private readonly Dictionary<(string Store, string List, string Page), Dictionary<int, LoadResult>> _growth = [];
    private readonly JsonObject _extra = [];
    private JsonObject _hashing = [];
    private double _isopohNs;
    private double _sodiumNs;
    private int _memoryKib;

    public void LoadHashing()
    {
        _hashing = JsonNode.Parse(File.ReadAllText(options.Hashing))!.AsObject();
        var interleaved = _hashing["Interleaved"]!;
        _isopohNs = interleaved["Isopoh"]!.GetValue<double>();
        _sodiumNs = interleaved["Sodium"]!.GetValue<double>();
        var command = interleaved["ReferenceCommand"]!.GetValue<double>();
        var library = interleaved["ReferenceC"]!.GetValue<double>();
        _memoryKib = _hashing["Parameters"]!["MemoryKib"]!.GetValue<int>();
        var memory = _memoryKib * 1024.0;
        foreach (var (id, name, ns) in new[] { ("1a", "Isopoh (fallback)", _isopohNs), ("1d", "libsodium (default)", _sodiumNs) })
        {
            AddRow(id, $"Argon2id hash, {name}: time per hash", ns / 1e6, "ms", command / 1e6, "Debian `argon2` command, same parameters", ns / command, "≤ 2x", ns / command <= 2);
            AddRow(id + "'", $"Argon2id hash, {name}: time per hash (stricter reference)", ns / 1e6, "ms", library / 1e6, "Debian libargon2 (reference C library) called in process", ns / library, "≤ 2x", ns / library <= 2);
        }

        var isopohBytes = _hashing["Isopoh"]!["AllocatedBytes"]!.GetValue<double>();
        var sodiumBytes = _hashing["Sodium"]!["AllocatedBytes"]!.GetValue<double>();
        AddRow("1b", "Argon2id hash, Isopoh (fallback): bytes allocated per hash", isopohBytes / MiB, "MiB", memory / MiB, "memory parameter m", isopohBytes / memory, "≤ 1.5x", isopohBytes / memory <= 1.5);
        AddRow("1e", "Argon2id hash, libsodium (default): managed bytes allocated per hash (+ m natively, once)", sodiumBytes / MiB, "MiB", memory / MiB, "memory parameter m", (sodiumBytes + memory) / memory, "≤ 1.5x", (sodiumBytes + memory) / memory <= 1.5);
    }

    public void SignIn(string implementation, LoadResult result, double measuredCapacity)
    {
        _runs.Add(result);
        var ns = implementation == "Sodium" ? _sodiumNs : _isopohNs;
        var limit = Environment.ProcessorCount / (ns / 1e9);
        var id = implementation == "Sodium" ? "2b" : "2a";
        AddRow(id, $"Sign-in throughput, {implementation} host{(implementation == "Sodium" ? " (default)" : string.Empty)}, {result.Concurrency} clients", result.RequestsPerSecond, "sign-ins/s", limit, $"hashing limit: {Environment.ProcessorCount} cores / time per hash ({ns / 1e6:F1} ms)", result.RequestsPerSecond / limit, "≥ 85%", result.RequestsPerSecond / limit >= 0.85);
        AddRow(id + "'", $"Sign-in throughput, {implementation} host (same run as above), against the hashing rate measured just before", result.RequestsPerSecond, "sign-ins/s", measuredCapacity, $"{Environment.ProcessorCount} threads hashing in the load driver for 6 s", result.RequestsPerSecond / measuredCapacity, "≥ 85%", result.RequestsPerSecond / measuredCapacity >= 0.85);
    }

    public void Burst(long rssBefore, long hwmBefore, long hwmAfter, long sampledPeak, double seconds, Dictionary<string, long> errors)
    {
        var peak = Math.Max(hwmAfter, sampledPeak);
        _extra["burst"] = new JsonObject
        {
            ["rssBeforeBytes"] = rssBefore, ["vmHwmBeforeBytes"] = hwmBefore, ["vmHwmAfterBytes"] = hwmAfter, ["sampledPeakRssBytes"] = sampledPeak,
            ["seconds"] = seconds, ["errors"] = JsonSerializer.SerializeToNode(errors),
        };
        Console.WriteLine($"burst: 1000 sign-ins in {seconds:F1} s, RSS before {rssBefore / MiB:F0} MiB, VmHWM {hwmBefore / MiB:F0} -> {hwmAfter / MiB:F0} MiB, errors {errors.Count}");
        AddRow("2c", $"1,000 concurrent sign-ins: peak RSS of the host (VmHWM; RSS before {rssBefore / MiB:F0} MiB; done in {seconds:F0} s, {errors.Values.Sum()} errors)", peak / MiB, "MiB", BurstBoundMiB, "bound chosen for a 2-core host", peak / MiB / BurstBoundMiB, "≤ 1x (bounded)", peak / MiB <= BurstBoundMiB && errors.Count == 0);
    }

    public void Read(LoadResult read, LoadResult echo)
    {
        _runs.Add(echo);
        _runs.Add(read);
        AddRow("3", $"Read RPC GetOrganization (organization with the caller's membership), {read.Concurrency} clients; p50 {read.P50Ms:F2} ms, p99 {read.P99Ms:F2} ms", read.RequestsPerSecond, "req/s", echo.RequestsPerSecond, $"grpc.health.v1.Health/Check on the same host (p50 {echo.P50Ms:F2} ms)", read.RequestsPerSecond / echo.RequestsPerSecond, "≥ 60%", read.RequestsPerSecond / echo.RequestsPerSecond >= 0.60);
    }

    public void Wallet(string id, string name, LoadResult ours, LoadResult reference, string referenceName, double goal, string unit = "payments/s")
    {
        _runs.Add(ours);
        _runs.Add(reference);
        AddRow(id, $"{name}, {ours.Concurrency} clients; p50 {ours.P50Ms:F1} ms, p99 {ours.P99Ms:F1} ms{Errors(ours)}", ours.RequestsPerSecond, unit, reference.RequestsPerSecond, $"{referenceName}{Errors(reference)}", ours.RequestsPerSecond / reference.RequestsPerSecond, $"≥ {goal:P0}", ours.RequestsPerSecond / reference.RequestsPerSecond >= goal);
    }

    public void Events(LoadResult without, LoadResult with, double deliveredPerSecond, double committedPerSecond)
    {
        _runs.Add(without);
        _runs.Add(with);
        var cost = with.RequestsPerSecond / without.RequestsPerSecond;
        AddRow("6a", $"wallet payment, SQLite, {with.Concurrency} clients, with a watcher on the feed; p50 {with.P50Ms:F1} ms{Errors(with)}", with.RequestsPerSecond, "payments/s",
            without.RequestsPerSecond, $"the same without a watcher (p50 {without.P50Ms:F1} ms){Errors(without)}", cost, "≥ 90%", cost >= 0.90);
        var keptUp = deliveredPerSecond / committedPerSecond;
        AddRow("6b", "events delivered to the watcher during that load", deliveredPerSecond, "events/s",
            committedPerSecond, "events committed in the same window (read back from the feed)", keptUp, "≥ 95%", keptUp >= 0.95);
    }

    public void Postgres(LoadResult uniform, LoadResult hot, double pgbenchTps, int clients)
    {
        _runs.Add(hot);
        _extra["pgbenchTps"] = pgbenchTps;
        AgainstPgbench("4b", "wallet payment, PostgreSQL, 64 wallets", uniform, pgbenchTps);
        AddRow("4c", $"wallet payment, PostgreSQL, 10 hot wallets, {clients} clients; p50 {hot.P50Ms:F1} ms{Errors(hot)}", hot.RequestsPerSecond, "payments/s", uniform.RequestsPerSecond, "the same with 64 wallets (4b)", hot.RequestsPerSecond / uniform.RequestsPerSecond, "≥ 65%", hot.RequestsPerSecond / uniform.RequestsPerSecond >= 0.65);
    }

    /// <summary>A row of the PostgreSQL store against pgbench's tpcb-like at the same client count (its figure kept by <see cref="Postgres"/>).</summary>
    public void AgainstPgbench(string id, string name, LoadResult ours, double pgbenchTps, string unit = "payments/s")
    {
        _runs.Add(ours);
        var ratio = ours.RequestsPerSecond / pgbenchTps;
        AddRow(id, $"{name}, {ours.Concurrency} clients; p50 {ours.P50Ms:F1} ms, p99 {ours.P99Ms:F1} ms{Errors(ours)}", ours.RequestsPerSecond, unit, pgbenchTps,
            $"pgbench tpcb-like, {ours.Concurrency} clients, scale 10", ratio, "≥ 50%", ratio >= 0.5);
    }

    public void Growth(string store, string list, string page, int rows, LoadResult result)
    {
        _runs.Add(result);
        if (!_growth.TryGetValue((store, list, page), out var byRows))
        {
            _growth[(store, list, page)] = byRows = [];
        }

        byRows[rows] = result;
    }

    public void Note(string scenario, string text) => _notes[scenario] = text;

    public void Write()
    {
        var rows = options.GrowthRows;
        foreach (var ((store, list, page), byRows) in _growth)
        {
            if (byRows.TryGetValue(rows[0], out var small) && byRows.TryGetValue(rows[^1], out var large))
            {
                var middle = rows.Length > 2 && byRows.TryGetValue(rows[1], out var m) ? $"; {rows[1]:N0} rows: {m.P50Ms:F2} ms" : string.Empty;
                var failed = byRows.Values.Sum(r => r.Errors.Values.Sum());
                if (byRows.Values.FirstOrDefault(r => r.FirstError is not null) is { } failing)
                {
                    _notes[$"Failed calls, {failing.Name}"] = failing.FirstError!;
                }

                var label = page.Length == 0 ? list : $"List {list}, {page} page";
                // SQLite's rows are 5, PostgreSQL's beside them 5p.
                AddRow(store == "SQLite" ? "5" : "5p", $"{label}{(store == "SQLite" ? string.Empty : $" ({store})")}: p50 with {rows[^1]:N0} rows{middle}{(failed > 0 ? $"; {failed} failed calls" : string.Empty)}", large.P50Ms, "ms", small.P50Ms, $"p50 with {rows[0]:N0} rows", large.P50Ms / small.P50Ms, "≤ 2x", large.P50Ms / small.P50Ms <= 2 && failed == 0);
            }
        }

        Directory.CreateDirectory(options.Out);
        KeepEarlierRows();
        var json = new JsonObject
        {
            ["generatedAt"] = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture),
            ["machine"] = Machine(),
            ["rows"] = JsonSerializer.SerializeToNode(_rows, Json),
            ["hashing"] = _hashing.DeepClone(),
            ["runs"] = JsonSerializer.SerializeToNode(_runs, Json),
            ["extra"] = _extra.DeepClone(),
            ["notes"] = JsonSerializer.SerializeToNode(_notes),
        };
        File.WriteAllText(Path.Combine(options.Out, "performance.json"), json.ToJsonString(Json) + "\n");

        var md = new StringBuilder();
        md.AppendLine("# Performance");
        md.AppendLine();
        md.AppendLine("Produced by `dotnet tool restore && dotnet cake --target=Bench` (numbers also in `performance.json`).");
        md.AppendLine(CultureInfo.InvariantCulture, $"Run of {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine()}. Every reference was measured in the same run, on the same machine, and other processes were running on it: compare the ratios, not the absolute figures.");
        md.AppendLine();
        md.AppendLine("| # | scenario | ours | reference | ratio | goal | met |");
        md.AppendLine("|---|---|---:|---|---:|---|---|");
        foreach (var r in _rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Id} | {r.Scenario} | {Format(r.Ours)} {r.Unit} | {Format(r.Reference)} {r.Unit}: {r.ReferenceName} | {r.Ratio:F2} | {r.Goal} | {(r.Met ? "yes" : "**no**")} |");
        }

        foreach (var (scenario, text) in _notes)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"{scenario}: {text}");
        }

        md.AppendLine();
        md.AppendLine("## Goals missed: why, and what would reach them");
        md.AppendLine();
        var missed = _rows.Where(r => !r.Met).GroupBy(r => Explanations.Why(r.Id.TrimEnd('\''))).ToList();
        if (missed.Count == 0)
        {
            md.AppendLine("None.");
        }

        foreach (var group in missed)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- **{string.Join(", ", group.Select(r => r.Id).Distinct())}**: {group.Key}");
        }

        md.AppendLine();
        md.Append(Explanations.Method);
        File.WriteAllText(Path.Combine(options.Out, "performance.md"), md.ToString());
        Console.WriteLine($"wrote {Path.Combine(options.Out, "performance.md")}");
    }

    // A run of some scenarios (--only) keeps the other rows of the previous report, marked with their run's date.
    private void KeepEarlierRows()
    {
        var previous = Path.Combine(options.Out, "performance.json");
        if (options.Only.Length == 0 || !File.Exists(previous))
        {
            return;
        }

        var earlier = JsonNode.Parse(File.ReadAllText(previous))!.AsObject();
        var when = earlier["generatedAt"]?.GetValue<string>() ?? "an earlier run";
        var measured = _rows.Select(r => (r.Id, Key(r.Scenario))).ToHashSet();
        foreach (var row in earlier["rows"]!.Deserialize<List<Row>>(Json)!)
        {
            if (!measured.Contains((row.Id, Key(row.Scenario))) && !_rows.Any(r => r.Id == row.Id && row.Id is not ("5" or "5p")))
            {
                var scenario = row.Scenario.Contains("(from the run of ", StringComparison.Ordinal) ? row.Scenario : $"{row.Scenario} (from the run of {when})";
                _rows.Add(row with { Scenario = scenario });
            }
        }

        foreach (var (scenario, text) in earlier["notes"]?.Deserialize<Dictionary<string, string>>() ?? [])
        {
            _notes.TryAdd(scenario, text);
        }

        static string Key(string scenario) => scenario.Split(':')[0];
    }

    private static string Errors(LoadResult r) => r.Errors.Count == 0 ? string.Empty : "; errors " + string.Join(", ", r.Errors.Select(e => $"{e.Key} {e.Value}"));

    private static string Format(double value) => value switch
    {
        double.NaN => "n/a",
        >= 100 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("F2", CultureInfo.InvariantCulture),
    };

    private static string Machine() =>
        $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    private void AddRow(string id, string scenario, double ours, string unit, double reference, string referenceName, double ratio, string goal, bool met)
    {
        var row = new Row(id, scenario, ours, unit, reference, referenceName, ratio, goal, met);
        _rows.Add(row);
        Console.WriteLine(row);
    }
}
