using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using Hosting.Accounts.V1;
using Hosting.Tests.Support;

namespace Hosting.Tests.EndToEnd;

/// <summary>The host started as the README says, as its own process, over a real socket.</summary>
public sealed partial class HostProcessTests
{
    [Fact]
    [Trait("Rule", "API-1")]
    public async Task HostStartedAsTheReadmeSays_SignsUpAndSignsInOverARealSocket()
    {
        var data = Directory.CreateTempSubdirectory("hosting-e2e-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The README's command; --no-build because the test run has just built it.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        foreach (var arg in new[] { "run", "--project", "src/GrpcHost", "--no-build", "--configuration", configuration, "--", "--urls", "http://127.0.0.1:0", $"--Storage:ConnectionString=Data Source={data}/hosting.db" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            var address = await ListeningAddressAsync(process, TimeSpan.FromSeconds(60));
            using var channel = GrpcChannel.ForAddress(address);
            var client = new AccountsService.AccountsServiceClient(channel);

            await client.SignUpAsync(new SignUpRequest { Login = "e2e@example.com", Password = Passwords.Good });
            var signIn = await client.SignInAsync(new SignInRequest { Login = "e2e@example.com", Password = Passwords.Good });
            var me = await client.GetAccountAsync(new GetAccountRequest(), Bearer.Of(signIn.SessionToken));

            Assert.Equal("e2e@example.com", me.Account.Login);
            Assert.True(File.Exists(Path.Combine(data, "hosting.db")));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<string> ListeningAddressAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                return match.Groups[1].Value;
            }
        }

        throw new InvalidOperationException("The host exited before listening: " + await process.StandardError.ReadToEndAsync(cts.Token));
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
