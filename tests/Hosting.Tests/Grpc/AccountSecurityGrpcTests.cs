using System.Net;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.GrpcHost.Callers;
using Hosting.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hosting.Tests.Grpc;

/// <summary>Security fixes between account features, each proven through the host.</summary>
public sealed class AccountSecurityGrpcTests(HostFactory host) : IClassFixture<HostFactory>
{
    private AccountsService.AccountsServiceClient Client => host.Accounts();

    private static string NewLogin() => $"user-{Guid.NewGuid():N}@example.com";

    private async Task<(string Login, Metadata Auth)> SignedInAsync()
    {
        var login = NewLogin();
        await Client.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
        var signIn = await Client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
        return (login, Bearer.Of(signIn.SessionToken));
    }

    /// <summary>Each call that checks the current password, by RPC name.</summary>
    private Task CheckPassword(string rpc, string password, Metadata auth) => rpc switch
    {
        "ChangePassword" => Client.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = password, NewPassword = Passwords.Other }, auth).ResponseAsync,
        "UpdateRecoveryEmail" => Client.UpdateRecoveryEmailAsync(new UpdateRecoveryEmailRequest { CurrentPassword = password, RecoveryEmail = "backup@example.net" }, auth).ResponseAsync,
        "DeleteAccount" => Client.DeleteAccountAsync(new DeleteAccountRequest { CurrentPassword = password }, auth).ResponseAsync,
        "BeginTwoFactorEnrollment" => Client.BeginTwoFactorEnrollmentAsync(new BeginTwoFactorEnrollmentRequest { CurrentPassword = password }, auth).ResponseAsync,
        "DisableTwoFactor" => Client.DisableTwoFactorAsync(new DisableTwoFactorRequest { CurrentPassword = password, TotpCode = "000000" }, auth).ResponseAsync,
        _ => throw new ArgumentOutOfRangeException(nameof(rpc)),
    };

    [Theory]
    [InlineData("ChangePassword")]
    [InlineData("UpdateRecoveryEmail")]
    [InlineData("DeleteAccount")]
    [InlineData("BeginTwoFactorEnrollment")]
    [InlineData("DisableTwoFactor")]
    [Trait("Rule", "ACC-13")]
    [Trait("Rule", "ACC-4")]
    public async Task WrongCurrentPasswords_WithASession_AreThrottledLikeSignIns(string rpc)
    {
        var (login, auth) = await SignedInAsync();
        for (var i = 0; i < 3; i++)
        {
            await RpcAssert.FailsAsync(() => CheckPassword(rpc, "not my password", auth), StatusCode.PermissionDenied, "WRONG_PASSWORD");
        }

        // Three free failures are spent: the right password waits now, on this call as on sign-in.
        await RpcAssert.FailsAsync(() => CheckPassword(rpc, Passwords.Good, auth), StatusCode.ResourceExhausted, "SIGN_IN_THROTTLED");
        await RpcAssert.FailsAsync(
            () => Client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }).ResponseAsync,
            StatusCode.ResourceExhausted, "SIGN_IN_THROTTLED");
    }

    [Fact]
    [Trait("Rule", "ACC-13")]
    [Trait("Rule", "ACC-4")]
    public async Task WrongCurrentPasswords_LockTheLogin_AndTheLockRefusesTheRightOne()
    {
        var (login, auth) = await SignedInAsync();
        for (var i = 0; i < 10; i++)
        {
            host.Clock.Advance(TimeSpan.FromMinutes(1));
            await RpcAssert.FailsAsync(() => CheckPassword("ChangePassword", "not my password", auth), StatusCode.PermissionDenied, "WRONG_PASSWORD");
        }

        await RpcAssert.FailsAsync(() => CheckPassword("ChangePassword", Passwords.Good, auth), StatusCode.ResourceExhausted, "SIGN_IN_LOCKED");
        await RpcAssert.FailsAsync(
            () => Client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }).ResponseAsync,
            StatusCode.ResourceExhausted, "SIGN_IN_LOCKED");
    }

    [Fact]
    [Trait("Rule", "ACC-5")]
    public async Task ConfiguredTrustedProxies_ReplaceLoopback_SoALocalPeerCannotNameTheAddress()
    {
        using var host = new HostFactory
        {
            Settings = new() { ["Network:TrustedProxies:0"] = "10.0.0.0/8" },
            Override = services => services.AddSingleton<IStartupFilter>(new LoopbackPeer()),
        };
        var client = host.Accounts();
        var login = NewLogin();
        var forged = new Metadata { { ClientAddress.Header, "203.0.113.5" } };
        await client.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good }, forged);
        var signIn = await client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good }, forged);

        var activity = await client.ListActivityAsync(new ListActivityRequest(), Bearer.Of(signIn.SessionToken));

        Assert.NotEmpty(activity.Entries);
        Assert.All(activity.Entries, e => Assert.Equal("127.0.0.1", e.IpAddress));
    }

    [Theory]
    [InlineData(null, "127.0.0.1", "203.0.113.5")] // unset: loopback is trusted, for a console on the same machine
    [InlineData("10.0.0.0/8", "127.0.0.1", "127.0.0.1")] // configured: the list replaces loopback
    [InlineData("10.0.0.0/8", "10.1.2.3", "203.0.113.5")]
    [InlineData("", "127.0.0.1", "127.0.0.1")] // one empty entry: nobody is trusted
    [Trait("Rule", "ACC-5")]
    public void TrustedProxies_FromConfiguration_ReplaceTheDefaults(string? configured, string peer, string expected)
    {
        var settings = new Dictionary<string, string?>();
        if (configured is not null)
        {
            settings["Network:TrustedProxies:0"] = configured;
        }

        var options = new ServiceCollection()
            .Configure<NetworkOptions>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(NetworkOptions.Section))
            .BuildServiceProvider().GetRequiredService<Microsoft.Extensions.Options.IOptions<NetworkOptions>>();

        Assert.Equal(IPAddress.Parse(expected), new ClientAddress(options).Of(IPAddress.Parse(peer), "203.0.113.5"));
    }

    /// <summary>Makes every in-process call arrive from loopback, as from a sidecar on the same machine.</summary>
    private sealed class LoopbackPeer : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, proceed) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Loopback;
                return proceed();
            });
            next(app);
        };
    }
}
