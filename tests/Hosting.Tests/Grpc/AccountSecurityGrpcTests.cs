using System.Net;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Core.Notifications;
using Hosting.GrpcHost.Callers;
using Hosting.Persistence;
using Hosting.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OtpTotp = Hosting.Core.Security.Totp;

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
        await host.ConfirmLoginAsync(login, Bearer.Of(signIn.SessionToken));
        return (login, Bearer.Of(signIn.SessionToken));
    }

    private List<OutboxMessage> Outbox(string recipient)
    {
        using var scope = host.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<HostingDbContext>().Set<OutboxMessage>()
            .AsNoTracking().Where(m => m.Recipient == recipient && m.Kind != Hosting.Core.Accounts.NotificationKinds.LoginConfirmation).ToList().OrderBy(m => m.CreatedAt).ToList();
    }

    /// <summary>Asks for a reset, lets the outbox step issue it, and reads the token from the newest reset mail.</summary>
    private async Task<string> ResetTokenAsync(string login, string recipient)
    {
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        await Client.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = login });
        await host.IssuePasswordResetsAsync();
        return Outbox(recipient).Last(m => m.Kind == "password-reset").Body.Split("once): ")[1].Split('\n')[0];
    }

    /// <summary>Rows per table of the host's database.</summary>
    private Dictionary<string, long> RowCounts()
    {
        using var connection = new SqliteConnection($"Data Source={host.DatabasePath}");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var counts = new Dictionary<string, long>();
        foreach (var table in tables)
        {
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            counts[table] = (long)count.ExecuteScalar()!;
        }

        return counts;
    }

    private static Dictionary<string, long> Written(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.Where(t => t.Value != before.GetValueOrDefault(t.Key)).ToDictionary(t => t.Key, t => t.Value - before.GetValueOrDefault(t.Key));

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task ResetRequests_ForAKnownAndAnUnknownLogin_WriteTheSameRows()
    {
        var (known, _) = await SignedInAsync();
        var unknown = NewLogin();
        Assert.Equal(known.Length, unknown.Length);

        var before = RowCounts();
        await Client.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = known });
        var afterKnown = RowCounts();
        await Client.RequestPasswordResetAsync(new RequestPasswordResetRequest { Login = unknown });
        var afterUnknown = RowCounts();

        Assert.Equal(new Dictionary<string, long> { ["Outbox"] = 1 }, Written(before, afterKnown));
        Assert.Equal(Written(before, afterKnown), Written(afterKnown, afterUnknown));
        var requests = Outbox(string.Empty).Where(m => m.SentAt == null).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal((requests[0].Kind, requests[0].Subject, requests[0].Body.Length), (requests[1].Kind, requests[1].Subject, requests[1].Body.Length));

        // Out of band, the known login gets its token and the unknown one nothing.
        await host.IssuePasswordResetsAsync();
        Assert.Single(Outbox(known), m => m.Kind == "password-reset");
        Assert.Empty(Outbox(unknown));
        Assert.All(Outbox(string.Empty), m => Assert.Equal(string.Empty, m.Body));
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task NewerResetRequest_AndTheReset_VoidTheOlderToken()
    {
        var (login, _) = await SignedInAsync();
        var older = await ResetTokenAsync(login, login);
        var newer = await ResetTokenAsync(login, login);

        await Client.ResetPasswordAsync(new ResetPasswordRequest { ResetToken = newer, NewPassword = Passwords.Other });

        await RpcAssert.FailsAsync(
            () => Client.ResetPasswordAsync(new ResetPasswordRequest { ResetToken = older, NewPassword = Passwords.Good }).ResponseAsync,
            StatusCode.FailedPrecondition, "RESET_TOKEN_USED");
        await Client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Other });
    }

    [Fact]
    [Trait("Rule", "ACC-8")]
    public async Task PasswordChange_VoidsTheResetTokensIssuedBefore()
    {
        var (login, auth) = await SignedInAsync();
        var token = await ResetTokenAsync(login, login);

        await Client.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = Passwords.Good, NewPassword = Passwords.Other }, auth);

        await RpcAssert.FailsAsync(
            () => Client.ResetPasswordAsync(new ResetPasswordRequest { ResetToken = token, NewPassword = Passwords.Good }).ResponseAsync,
            StatusCode.FailedPrecondition, "RESET_TOKEN_USED");
        await Client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Other });
    }

    [Fact]
    [Trait("Rule", "ACC-13")]
    public async Task SecurityChanges_AreToldToTheLogin_AndARecoveryChangeToTheOldAndNewAddress()
    {
        var login = NewLogin();
        var oldRecovery = $"old-{Guid.NewGuid():N}@example.net";
        var newRecovery = $"new-{Guid.NewGuid():N}@example.net";
        await Client.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good, RecoveryEmail = oldRecovery });
        var auth = Bearer.Of((await Client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken);
        await host.ConfirmLoginAsync(login, auth);

        await Client.UpdateRecoveryEmailAsync(new UpdateRecoveryEmailRequest { CurrentPassword = Passwords.Good, RecoveryEmail = newRecovery }, auth);
        await Client.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = Passwords.Good, NewPassword = Passwords.Other }, auth);
        var enrollment = await Client.BeginTwoFactorEnrollmentAsync(new BeginTwoFactorEnrollmentRequest { CurrentPassword = Passwords.Other }, auth);
        await Client.ConfirmTwoFactorAsync(new ConfirmTwoFactorRequest { TotpCode = OtpTotp.CodeAt(enrollment.Secret, host.Clock.GetUtcNow()) }, auth);
        host.Clock.Advance(TimeSpan.FromSeconds(30));
        await Client.DisableTwoFactorAsync(new DisableTwoFactorRequest { CurrentPassword = Passwords.Other, TotpCode = OtpTotp.CodeAt(enrollment.Secret, host.Clock.GetUtcNow()) }, auth);
        var token = await ResetTokenAsync(login, newRecovery);
        await Client.ResetPasswordAsync(new ResetPasswordRequest { ResetToken = token, NewPassword = Passwords.Good });

        Assert.Equal(
            ["recovery-email-changed", "password-changed", "two-factor-enabled", "two-factor-disabled", "password-changed"],
            Outbox(login).Select(m => m.Kind).Where(k => k != "new-location-sign-in"));
        Assert.Equal(["recovery-email-changed"], Outbox(oldRecovery).Select(m => m.Kind));
        Assert.Equal(["recovery-email-changed", "password-reset"], Outbox(newRecovery).Select(m => m.Kind));
        Assert.All(Outbox(login).Concat(Outbox(oldRecovery)), m => Assert.DoesNotContain(token, m.Body, StringComparison.Ordinal));
        var auth2 = Bearer.Of((await Client.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken);
        var kinds = (await Client.ListActivityAsync(new ListActivityRequest { PageSize = 100 }, auth2)).Entries.Select(e => e.Kind).ToList();
        Assert.Contains(ActivityKind.RecoveryEmailChanged, kinds);
        Assert.Contains(ActivityKind.PasswordChanged, kinds);
        Assert.Contains(ActivityKind.TwoFactorEnabled, kinds);
        Assert.Contains(ActivityKind.TwoFactorDisabled, kinds);
        Assert.Contains(ActivityKind.PasswordReset, kinds);
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
        await host.ConfirmLoginAsync(login, Bearer.Of(signIn.SessionToken));

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
