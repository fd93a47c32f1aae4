using System.Diagnostics;
using Hosting.Core.Security;
using Hosting.Core.Shared;

namespace Hosting.LoadDriver;

/// <summary>
/// How many hashes per second this machine gives right now with one thread per core, the host's own
/// hasher at its default parameters: the hashing limit as measured, beside the one computed from the time per hash.
/// </summary>
internal static class HashingCapacity
{
    public static double Measure(string implementation, TimeSpan duration)
    {
        var threads = Environment.ProcessorCount;
        var parameters = Argon2Parameters.Owasp with { Implementation = implementation };
        var hasher = PasswordHashers.Create(parameters, new SystemSecretGenerator());
        try
        {
            hasher.HashAsync("violet-harbour-lantern").GetAwaiter().GetResult();
            var count = 0;
            var watch = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                while (watch.Elapsed < duration)
                {
                    hasher.HashAsync("violet-harbour-lantern").GetAwaiter().GetResult();
                    Interlocked.Increment(ref count);
                }
            })).ToList();
            workers.ForEach(t => t.Start());
            workers.ForEach(t => t.Join());
            var rate = count / watch.Elapsed.TotalSeconds;
            Console.WriteLine($"hashing capacity ({implementation}, {threads} threads): {rate:F1} hashes/s");
            return rate;
        }
        finally
        {
            (hasher as IDisposable)?.Dispose();
        }
    }
}
