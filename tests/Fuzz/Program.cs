using SharpFuzz;

namespace Hosting.Fuzz;

/// <summary>
/// The afl++ harness: <c>Hosting.Fuzz TARGET</c> runs one parser target in SharpFuzz's persistent loop
/// (one process serves every execution); <c>Hosting.Fuzz TARGET FILE...</c> replays inputs once each,
/// printing whether each was accepted or what escaped, to reproduce a crash outside afl.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
        {
            Console.Error.WriteLine($"usage: Hosting.Fuzz {{{string.Join('|', FuzzTargets.Names)}}} [FILE...]");
            return 2;
        }

        var target = args[0];
        if (args.Length > 1)
        {
            var failed = 0;
            foreach (var file in args.Skip(1))
            {
                try
                {
                    Console.WriteLine($"{file}: {(FuzzTargets.Run(target, File.ReadAllBytes(file)) ? "accepted" : "refused")}");
                }
                catch (Exception e)
                {
                    failed++;
                    Console.WriteLine($"{file}: {e}");
                }
            }

            return failed == 0 ? 0 : 1;
        }

        var buffer = new MemoryStream();
        Fuzzer.Run(stream =>
        {
            // The whole input, read again on every execution: afl rewinds the same stdin file each time.
            buffer.SetLength(0);
            stream.CopyTo(buffer);
            FuzzTargets.Run(target, buffer.ToArray());
        });
        return 0;
    }
}
