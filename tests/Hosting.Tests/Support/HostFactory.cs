using Grpc.Core;
using Grpc.Net.Client;
using Hosting.Accounts.V1;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Hosting.Tests.Support;

/// <summary>
/// The real host in process on its own SQLite file, a fake clock, the outbox dispatcher off
/// (tests read the outbox) and every log line captured.
/// </summary>
public class HostFactory : WebApplicationFactory<Program>
{
    public const string SupportKey = "support-key-0123456789-abcdefghijklmnop";
    public const string OperatorKey = "operator-key-0123456789-abcdefghijklmno";
    public const string EventsKey = "events-key-0123456789-abcdefghijklmnopqr";

    private readonly string _folder = Directory.CreateTempSubdirectory("hosting-tests-").FullName;

    /// <summary>Replaces services of the host, for fault injection.</summary>
    public Action<IServiceCollection>? Override { get; init; }

    /// <summary>Configuration applied over the defaults of this factory.</summary>
    public Dictionary<string, string?> Settings { get; init; } = [];

    public FakeTimeProvider Clock { get; } = new(AccountsHarness.Start);

    public CapturedLogs Logs { get; } = new();

    /// <summary>Skips the calling test when this factory's store is not available here.</summary>
    public virtual void SkipUnlessAvailable()
    {
    }

    public string DatabasePath => Path.Combine(_folder, "hosting.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:ConnectionString", $"Data Source={DatabasePath}");
        builder.UseSetting("Notifications:DispatcherEnabled", "false");
        builder.UseSetting("Renewals:Enabled", "false");
        builder.UseSetting("ApiKeys:Keys:0:Name", "support-desk");
        builder.UseSetting("ApiKeys:Keys:0:Key", SupportKey);
        builder.UseSetting("ApiKeys:Keys:0:Scopes:0", "support");
        builder.UseSetting("ApiKeys:Keys:1:Name", "payout-operator");
        builder.UseSetting("ApiKeys:Keys:1:Key", OperatorKey);
        builder.UseSetting("ApiKeys:Keys:1:Scopes:0", "payouts");
        builder.UseSetting("ApiKeys:Keys:1:Scopes:1", "audit");
        builder.UseSetting("ApiKeys:Keys:2:Name", "provisioning");
        builder.UseSetting("ApiKeys:Keys:2:Key", EventsKey);
        builder.UseSetting("ApiKeys:Keys:2:Scopes:0", "events");
        // Suites sign in hundreds of times from one address; the limits have their own tests.
        builder.UseSetting("RateLimiting:Enabled", "false");
        // A provider trading in a third currency: the suites' wallets open in USD too.
        builder.UseSetting("Currencies:Traded", "CHF,EUR,USD");
        // The fake clock does not move by itself: a watch woken by a commit reads at once.
        builder.UseSetting("Events:WakeDelay", "00:00:00");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(l => l.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            Override?.Invoke(services);
        });
    }

    public GrpcChannel Channel() =>
        GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() });

    public AccountsService.AccountsServiceClient Accounts() => new(Channel());

    /// <summary>Issues the reset tokens asked for, as the (here disabled) outbox dispatcher does on each tick.</summary>
    public async Task IssuePasswordResetsAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Hosting.Core.Accounts.PasswordResetIssuer>().IssuePendingAsync(int.MaxValue);
    }

    /// <summary>The latest login confirmation code queued to <paramref name="login"/>, read from the outbox as the person reads the email (ACC-12).</summary>
    public string LoginCode(string login)
    {
        using var scope = Services.CreateScope();
        var messages = scope.ServiceProvider.GetRequiredService<Hosting.Persistence.HostingDbContext>().Set<Hosting.Core.Notifications.OutboxMessage>()
            .AsNoTracking().Where(m => m.Kind == Hosting.Core.Accounts.NotificationKinds.LoginConfirmation && m.Recipient == login).ToList();
        return LoginCodes.From(messages.OrderBy(m => m.CreatedAt).Last().Body);
    }

    /// <summary>Proves a new account's login through ConfirmLogin, as its holder would (ACC-12).</summary>
    public async Task<Account> ConfirmLoginAsync(string login, Metadata auth) =>
        (await Accounts().ConfirmLoginAsync(new ConfirmLoginRequest { Code = LoginCode(login) }, auth)).Account;

    /// <summary>Signs a new account up, signs in and confirms its login: a ready user's bearer metadata.</summary>
    public async Task<Metadata> SignedUpAsync(string login, string password = Passwords.Good)
    {
        var accounts = Accounts();
        await accounts.SignUpAsync(new SignUpRequest { Login = login, Password = password });
        var auth = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = login, Password = password })).SessionToken);
        await ConfirmLoginAsync(login, auth);
        return auth;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}

public static class Bearer
{
    public static Metadata Of(string token) => new() { { "authorization", $"Bearer {token}" } };
}
