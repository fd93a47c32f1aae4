using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Events;
using Hosting.Core.Mailboxes;
using Hosting.Core.Notifications;
using Hosting.Core.Organizations;
using Hosting.Core.Security;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.Persistence;
using Hosting.Persistence.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Hosting.Tests.Support;

/// <summary>
/// The accounts domain on a real SQLite database (in memory, migrated), a fake clock and the real
/// Argon2id hasher. Each call to <see cref="Accounts"/> is a fresh unit of work, as a request is.
/// </summary>
public sealed class AccountsHarness : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    // The product's default hasher (libsodium, with Isopoh where it cannot run), at the product's parameters.
    private readonly SodiumArgon2idPasswordHasher _hasher;

    // The schema, migrated once per test run; each harness starts from a copy (SQLite's backup), not from the migrations.
    private static readonly Lazy<SqliteConnection> Template = new(() =>
    {
        var template = new SqliteConnection("Data Source=:memory:");
        template.Open();
        using var db = new HostingDbContext(new DbContextOptionsBuilder<HostingDbContext>().UseSqlite(template).Options);
        db.Database.Migrate();
        return template;
    });

    public AccountsHarness(AccountOptions? options = null)
    {
        _connection.Open();
        var template = Template.Value;
        lock (template)
        {
            template.BackupDatabase(_connection);
        }

        _hasher = new SodiumArgon2idPasswordHasher(Argon2Parameters.Owasp, Random);
        Options = options ?? new AccountOptions();
    }

    public FakeTimeProvider Clock { get; } = new(Start);

    public ISecretGenerator Random { get; } = new SystemSecretGenerator();

    public AccountOptions Options { get; }

    public IPasswordHasher Hasher => _hasher;

    public PasswordPolicy Policy { get; } = new(new ZxcvbnCommonPasswords());

    /// <summary>An interceptor every new unit of work gets too (tests that interleave a request with another).</summary>
    public Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor? Interceptor { get; set; }

    /// <summary>
    /// Runs <paramref name="request"/> while every insert into <paramref name="table"/> loses its race to a
    /// concurrent request, expects it to give up with the duplicate key, and returns how many times it tried.
    /// </summary>
    public async Task<int> AttemptsLosingEveryRaceAsync(string table, Func<Task> request)
    {
        var races = new LostRaces(table);
        Interceptor = races;
        try
        {
            await Assert.ThrowsAsync<DuplicateKeyException>(request);
        }
        finally
        {
            Interceptor = null;
        }

        return races.Lost;
    }

    public HostingDbContext NewDb()
    {
        var options = new DbContextOptionsBuilder<HostingDbContext>().UseSqlite(_connection).AddInterceptors(new Hosting.Persistence.Events.EventRecorder(Clock, Random));
        if (Interceptor is not null)
        {
            options.AddInterceptors(Interceptor);
        }

        return new HostingDbContext(options.Options);
    }

    public AccountService Accounts(IPasswordHasher? hasher = null)
    {
        var db = NewDb();
        var sync = new MailboxPasswordSync(new EfMailboxStore(db), new EfOrganizationStore(db), new EfAccountStore(db), Random);
        return new(new EfAccountStore(db), hasher ?? _hasher, Policy, Clock, Random, Options, sync, new LapsedAccountOrganizations(new EfOrganizationStore(db), Clock));
    }

    /// <summary>The mailboxes domain with its own unit of work, as one request has.</summary>
    public MailboxService Mailboxes()
    {
        var db = NewDb();
        var sync = new MailboxPasswordSync(new EfMailboxStore(db), new EfOrganizationStore(db), new EfAccountStore(db), Random);
        var accounts = new AccountService(new EfAccountStore(db), _hasher, Policy, Clock, Random, Options, sync);
        return new MailboxService(new EfMailboxStore(db), new EfOrganizationStore(db), new EfAccountStore(db), _hasher, Policy, Clock, Random, Options, accounts);
    }

    public IOrganizationFinances Finances { get; set; } = new NoFinances();

    public OrganizationOptions OrganizationOptions { get; } = new();

    /// <summary>The organizations domain with its own unit of work, as one request has.</summary>
    public OrganizationService Organizations()
    {
        var db = NewDb();
        var accountStore = new EfAccountStore(db);
        var accounts = new AccountService(accountStore, _hasher, Policy, Clock, Random, Options, lapse: new LapsedAccountOrganizations(new EfOrganizationStore(db), Clock));
        var observer = new MailboxRightsObserver(new EfMailboxStore(db), accountStore, Random, Clock);
        return new OrganizationService(new EfOrganizationStore(db), accountStore, accounts, FixedProductCatalogue.Default, Finances, Clock, Random, OrganizationOptions, observer);
    }

    public SimulatedPaymentGateway Gateway { get; private set; } = null!;

    /// <summary>A gateway to use instead of the simulated one (fakes that record or interfere).</summary>
    public IPaymentGateway? CustomGateway { get; set; }

    private IPaymentGateway PaymentGateway => CustomGateway ?? Gateway;

    public WalletOptions WalletOptions { get; set; } = new();

    public EventOptions EventOptions { get; } = new();

    /// <summary>The event feed with its own unit of work, as one reader's call has.</summary>
    public EventFeed Events() => new(new EfEventStore(NewDb()), Clock, EventOptions);

    /// <summary>The wallet domain with its own unit of work, as one request has.</summary>
    public WalletService Wallets()
    {
        Gateway ??= new SimulatedPaymentGateway(Random);
        var db = NewDb();
        return new WalletService(new EfWalletStore(db), new EfOrganizationStore(db), PaymentGateway, Clock, Random, WalletOptions, Currencies);
    }

    public BillingOptions BillingOptions { get; set; } = new();

    public CurrencyOptions Currencies { get; set; } = new();

    /// <summary>Support's billing use cases with their own unit of work.</summary>
    public BillingAdministration BillingAdmin()
    {
        var db = NewDb();
        return new BillingAdministration(new EfBillingStore(db), new EfOrganizationStore(db), Clock, Random, Currencies);
    }

    /// <summary>The billing domain with its own unit of work, as one request has.</summary>
    public BillingService Billing()
    {
        Gateway ??= new SimulatedPaymentGateway(Random);
        var db = NewDb();
        var billing = new EfBillingStore(db);
        var organizations = new EfOrganizationStore(db);
        var wallets = new WalletService(new EfWalletStore(db), organizations, PaymentGateway, Clock, Random, WalletOptions, Currencies);
        return new BillingService(billing, organizations, wallets, PaymentGateway, new StoredProductCatalogue(billing), Clock, Random, BillingOptions);
    }

    /// <summary>The shop with its own unit of work, as one request has.</summary>
    public OrderService Orders()
    {
        Gateway ??= new SimulatedPaymentGateway(Random);
        var db = NewDb();
        var billing = new EfBillingStore(db);
        var organizations = new EfOrganizationStore(db);
        var wallets = new WalletService(new EfWalletStore(db), organizations, PaymentGateway, Clock, Random, WalletOptions, Currencies);
        return new OrderService(billing, organizations, wallets, new StoredProductCatalogue(billing), Clock, Random, BillingOptions);
    }

    /// <summary>Payment and cancellation of unpaid invoices with their own unit of work.</summary>
    public UnpaidInvoiceService UnpaidInvoices()
    {
        Gateway ??= new SimulatedPaymentGateway(Random);
        var db = NewDb();
        var organizations = new EfOrganizationStore(db);
        var wallets = new WalletService(new EfWalletStore(db), organizations, PaymentGateway, Clock, Random, WalletOptions, Currencies);
        return new UnpaidInvoiceService(new EfBillingStore(db), organizations, wallets, Clock, Random, BillingOptions);
    }

    public WalletAuditor Auditor() => new(new EfWalletStore(NewDb()));

    public async Task<AuthenticatedUser> UserAsync(string login, SignInContext? context = null)
    {
        var email = EmailAddress.Parse(login, "login").Value;
        if (!Query(db => db.Set<UserAccount>().Any(a => a.Login == email)))
        {
            await SignUpAsync(login, context: context);
        }

        var session = await SignInAsync(login, context: context);
        return (await Accounts().AuthenticateAsync(session.Token)).Value;
    }

    /// <summary>The mail queued, oldest first (reset requests, which are work rather than mail, and the login confirmation codes every sign-up queues (ACC-12) left out).</summary>
    public List<OutboxMessage> Outbox() => AllOutbox().Where(m => m.Kind != NotificationKinds.LoginConfirmation).ToList();

    /// <summary>The mail queued, oldest first, login confirmation codes included.</summary>
    public List<OutboxMessage> AllOutbox()
    {
        using var db = NewDb();
        return db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Kind != NotificationKinds.PasswordResetRequest).ToList().OrderBy(m => m.CreatedAt).ToList();
    }

    /// <summary>Issues the reset tokens asked for, as the outbox dispatcher does.</summary>
    public Task<int> IssuePasswordResetsAsync() =>
        new PasswordResetIssuer(new EfAccountStore(NewDb()), Clock, Random, Options).IssuePendingAsync(int.MaxValue);

    /// <summary>The latest login confirmation code queued to <paramref name="login"/>, read from the outbox as the person would read the email.</summary>
    public string LoginCode(string login) =>
        LoginCodes.From(AllOutbox().Last(m => m.Kind == NotificationKinds.LoginConfirmation && m.Recipient == login).Body);

    /// <summary>Proves the account's login through the real use case, with the code from the outbox (ACC-12).</summary>
    public async Task ConfirmLoginAsync(UserAccount account)
    {
        // The session id plays no part in confirming; the account is the one the code was sent to.
        var confirmed = await Accounts().ConfirmLoginAsync(new AuthenticatedUser(account.Id, Guid.Empty), LoginCode(account.Login.Value));
        Assert.True(confirmed.IsSuccess, confirmed.Error?.Reason);
    }

    public T Query<T>(Func<HostingDbContext, T> query)
    {
        using var db = NewDb();
        return query(db);
    }

    public async Task<UserAccount> SignUpAsync(string login = "ann@example.com", string password = Passwords.Good, SignInContext? context = null, string? recovery = null)
    {
        var result = await Accounts().SignUpAsync(login, password, recovery, context ?? Contexts.Home);
        Assert.True(result.IsSuccess, result.Error?.Reason);
        await ConfirmLoginAsync(result.Value);
        return result.Value;
    }

    public async Task<SignedIn> SignInAsync(string login = "ann@example.com", string password = Passwords.Good, SignInContext? context = null, string? totp = null, string? recoveryCode = null)
    {
        var result = await Accounts().SignInAsync(login, password, totp, recoveryCode, context ?? Contexts.Home);
        Assert.True(result.IsSuccess, result.Error?.Reason);
        return result.Value;
    }

    public void Dispose()
    {
        _hasher.Dispose();
        _connection.Dispose();
    }
}

/// <summary>Reads the code out of a login confirmation email (ACC-12).</summary>
public static partial class LoginCodes
{
    public static string From(string body) => Code().Match(body) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("No login code in the message.");

    [System.Text.RegularExpressions.GeneratedRegex(@"once\): (\d{8})")]
    private static partial System.Text.RegularExpressions.Regex Code();
}

public static class Passwords
{
    public const string Good = "violet-harbour-lantern";
    public const string Other = "quiet mountain ferry 42";
}

public static class Contexts
{
    public static readonly SignInContext Home = SignInContext.Create("203.0.113.10", "laptop-1", "Firefox/140");
    public static readonly SignInContext HomeOtherAddressSameBlock = SignInContext.Create("203.0.113.77", "laptop-1", "Firefox/140");
    public static readonly SignInContext Travel = SignInContext.Create("198.51.100.20", "laptop-1", "Firefox/140");
    public static readonly SignInContext NewDevice = SignInContext.Create("203.0.113.10", "private-window-7", "Firefox/140");
}

public static class ResultAssert
{
    public static DomainError Fails<T>(Result<T> result, string reason)
    {
        Assert.False(result.IsSuccess, $"expected {reason}, got success");
        Assert.Equal(reason, result.Error.Reason);
        return result.Error;
    }
}
