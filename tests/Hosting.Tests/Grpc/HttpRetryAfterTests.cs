using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hosting.Tests.Support;

namespace Hosting.Tests.Grpc;

/// <summary>A throttled call over HTTP/JSON: 429 with Retry-After beside the RetryInfo detail.</summary>
public sealed class HttpRetryAfterTests
{
    [Fact]
    [Trait("Rule", "ACC-4")]
    [Trait("Rule", "API-3")]
    public async Task ARateLimitedCallOverHttpJson_Answers429_WithRetryAfterInSeconds_BesideRetryInfo()
    {
        using var host = new HostFactory
        {
            Settings = new()
            {
                ["RateLimiting:Enabled"] = "true",
                ["RateLimiting:Policies:PasswordReset:PerAddress"] = "2",
                // A window far longer than the test, so that it cannot roll over between the calls.
                ["RateLimiting:Policies:PasswordReset:Window"] = "01:00:00",
            },
        };
        using var http = host.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            var accepted = await http.PostAsJsonAsync("/v1/accounts:requestPasswordReset", new { login = "someone@example.com" });
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            Assert.False(accepted.Headers.Contains("Retry-After"));
        }

        var refused = await http.PostAsJsonAsync("/v1/accounts:requestPasswordReset", new { login = "someone@example.com" });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var status = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var retryInfo = status.GetProperty("details").EnumerateArray().Single(d => d.GetProperty("@type").GetString()!.EndsWith("google.rpc.RetryInfo", StringComparison.Ordinal));
        var delay = TimeSpan.FromSeconds(double.Parse(retryInfo.GetProperty("retryDelay").GetString()!.TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture));
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.Equal(Math.Ceiling(delay.TotalSeconds), retryAfter.Value.TotalSeconds);
        Assert.True(retryAfter.Value > TimeSpan.Zero);
    }

    [Fact]
    [Trait("Rule", "ACC-4")]
    public async Task ARateLimitedCallOverGrpc_KeepsItsAnswer_WithoutAnHttpRetryAfterHeader()
    {
        using var host = new HostFactory
        {
            Settings = new()
            {
                ["RateLimiting:Enabled"] = "true",
                ["RateLimiting:Policies:PasswordReset:PerAddress"] = "1",
                ["RateLimiting:Policies:PasswordReset:Window"] = "01:00:00",
            },
        };
        var accounts = host.Accounts();
        await accounts.RequestPasswordResetAsync(new Hosting.Accounts.V1.RequestPasswordResetRequest { Login = "someone@example.com" });

        var call = accounts.RequestPasswordResetAsync(new Hosting.Accounts.V1.RequestPasswordResetRequest { Login = "someone@example.com" });
        var refused = await RpcAssert.FailsAsync(() => call.ResponseAsync, global::Grpc.Core.StatusCode.ResourceExhausted, "RATE_LIMITED");

        Assert.NotNull(refused.GetDetail<Google.Rpc.RetryInfo>());
        Assert.Null((await call.ResponseHeadersAsync).Get("retry-after"));
    }
}
