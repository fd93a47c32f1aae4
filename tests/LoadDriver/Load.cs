using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;

namespace Hosting.LoadDriver;

/// <summary>Figures of one load run: requests/s after warm-up, latency percentiles, errors by status code.</summary>
internal sealed record LoadResult(string Name, int Concurrency, int Channels, double Seconds, long Requests, double RequestsPerSecond, double P50Ms, double P95Ms, double P99Ms, Dictionary<string, long> Errors)
{
    /// <summary>The first error's status and detail, if any.</summary>
    public string? FirstError { get; init; }

    public override string ToString() =>
        $"{Name}: {RequestsPerSecond:F1} req/s, p50 {P50Ms:F2} ms, p95 {P95Ms:F2} ms, p99 {P99Ms:F2} ms, c={Concurrency}, errors {string.Join(", ", Errors.Select(e => $"{e.Key}={e.Value}"))}";
}

/// <summary>A closed-loop load: each worker sends its next request when the previous one answered.</summary>
internal static class Load
{
    public static GrpcChannel[] Channels(string address, int count) =>
        Enumerable.Range(0, count).Select(_ => GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
        })).ToArray();

    /// <param name="call">One request of worker w, on the channel it was given.</param>
    public static async Task<LoadResult> RunAsync(string name, GrpcChannel[] channels, int concurrency, TimeSpan warmUp, TimeSpan duration, Func<int, GrpcChannel, long, Task> call)
    {
        var errors = new Dictionary<string, long>();
        var latencies = new List<double>[concurrency];
        var counted = 0L;
        var start = Stopwatch.StartNew();
        var measureFrom = warmUp;
        var measureTo = warmUp + duration;
        var workers = Enumerable.Range(0, concurrency).Select(async w =>
        {
            latencies[w] = new List<double>(4096);
            var channel = channels[w % channels.Length];
            long sequence = 0;
            while (start.Elapsed < measureTo)
            {
                var began = start.Elapsed;
                string? failure = null;
                try
                {
                    await call(w, channel, sequence++);
                }
                catch (RpcException e)
                {
                    failure = e.StatusCode.ToString();
                }

                var ended = start.Elapsed;
                if (began >= measureFrom && ended <= measureTo)
                {
                    if (failure is null)
                    {
                        latencies[w].Add((ended - began).TotalMilliseconds);
                    }
                    else
                    {
                        lock (errors)
                        {
                            errors[failure] = errors.GetValueOrDefault(failure) + 1;
                        }
                    }

                    Interlocked.Increment(ref counted);
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var ok = all.Length;
        var result = new LoadResult(name, concurrency, channels.Length, duration.TotalSeconds, counted, ok / duration.TotalSeconds,
            Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99), errors);
        Console.WriteLine(result);
        return result;
    }

    /// <summary>Latency of requests sent one after another (for the growth scenarios).</summary>
    public static async Task<LoadResult> SequentialAsync(string name, TimeSpan budget, int count, Func<Task> call)
    {
        for (var i = 0; i < 1; i++)
        {
            try
            {
                await call();
            }
            catch (RpcException)
            {
                // counted below
            }
        }

        var times = new List<double>();
        var errors = new Dictionary<string, long>();
        string? firstError = null;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count && (i < 3 || total.Elapsed < budget); i++)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                await call();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            catch (RpcException e)
            {
                errors[e.StatusCode.ToString()] = errors.GetValueOrDefault(e.StatusCode.ToString()) + 1;
                firstError ??= $"{e.StatusCode}: {e.Status.Detail} after {watch.Elapsed.TotalMilliseconds:F0} ms";
            }
        }

        var sorted = times.Order().ToArray();
        var result = new LoadResult(name, 1, 1, total.Elapsed.TotalSeconds, sorted.Length + errors.Values.Sum(), sorted.Length / total.Elapsed.TotalSeconds, Percentile(sorted, 0.5), Percentile(sorted, 0.95), Percentile(sorted, 0.99), errors) { FirstError = firstError };
        Console.WriteLine(result);
        return result;
    }

    /// <summary>
    /// Latencies of several calls (one per database size) made in turns, one after another: each
    /// round calls each once, so a load that comes and goes on the machine falls on all alike.
    /// </summary>
    public static async Task<LoadResult[]> InterleavedAsync(string[] names, int rounds, Func<Task>[] calls)
    {
        var times = calls.Select(_ => new List<double>()).ToArray();
        var errors = calls.Select(_ => new Dictionary<string, long>()).ToArray();
        var firstErrors = new string?[calls.Length];
        var total = Stopwatch.StartNew();
        for (var round = -1; round < rounds; round++)
        {
            for (var i = 0; i < calls.Length; i++)
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    await calls[i]();
                    if (round >= 0)
                    {
                        times[i].Add(watch.Elapsed.TotalMilliseconds);
                    }
                }
                catch (RpcException e)
                {
                    // The first round warms up; its failures count all the same.
                    errors[i][e.StatusCode.ToString()] = errors[i].GetValueOrDefault(e.StatusCode.ToString()) + 1;
                    firstErrors[i] ??= $"{e.StatusCode}: {e.Status.Detail} after {watch.Elapsed.TotalMilliseconds:F0} ms";
                }
            }
        }

        return names.Select((name, i) =>
        {
            var sorted = times[i].Order().ToArray();
            var result = new LoadResult(name, 1, 1, total.Elapsed.TotalSeconds, sorted.Length + errors[i].Values.Sum(), sorted.Length / total.Elapsed.TotalSeconds,
                Percentile(sorted, 0.5), Percentile(sorted, 0.95), Percentile(sorted, 0.99), errors[i]) { FirstError = firstErrors[i] };
            Console.WriteLine(result);
            return result;
        }).ToArray();
    }

    public static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
