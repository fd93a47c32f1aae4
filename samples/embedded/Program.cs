using Hosting.Core.Accounts;
using Hosting.Core.Notifications;
using Hosting.Core.Organizations;
using Hosting.Core.Security;
using Hosting.Core.Shared;
using Hosting.Persistence;
using Hosting.Persistence.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

// The embedding service owns its store: here an in-memory SQLite database migrated at start.
await using var connection = new SqliteConnection("Data Source=:memory:");
await connection.OpenAsync();
var options = new DbContextOptionsBuilder<HostingDbContext>().UseSqlite(connection).Options;
await using (var db = new HostingDbContext(options))
{
    await db.MigrateStoreAsync();
}

var clock = TimeProvider.System;
var random = new SystemSecretGenerator();
using var hasher = new Argon2idPasswordHasher(Argon2Parameters.Owasp, random);
var policy = new PasswordPolicy(new ZxcvbnCommonPasswords());

// One unit of work per operation, as a request would have.
(AccountService Accounts, OrganizationService Organizations) UnitOfWork()
{
    var db = new HostingDbContext(options);
    var accountStore = new EfAccountStore(db);
    var organizationStore = new EfOrganizationStore(db);
    // A lapsed unconfirmed account (ACC-12) takes the organization of its first order with it.
    var accounts = new AccountService(accountStore, hasher, policy, clock, random, new AccountOptions(), lapse: new LapsedAccountOrganizations(organizationStore, clock));
    var organizations = new OrganizationService(organizationStore, accountStore, accounts, FixedProductCatalogue.Default, new NoFinances(), clock, random, new OrganizationOptions());
    return (accounts, organizations);
}

var context = SignInContext.Create("192.0.2.1", "embedded-sample", "embedded/1.0");
var signUp = await UnitOfWork().Accounts.SignUpAsync("embedded@example.com", "violet-harbour-lantern", null, context);
Console.WriteLine($"signed up: {signUp.Value.Login}");

var weak = await UnitOfWork().Accounts.SignUpAsync("weak@example.com", "password1", null, context);
Console.WriteLine($"weak password refused: {weak.Error?.Reason}");

var signIn = await UnitOfWork().Accounts.SignInAsync("embedded@example.com", "violet-harbour-lantern", null, null, context);
var unconfirmed = await UnitOfWork().Accounts.AuthenticateAsync(signIn.Value.Token);
Console.WriteLine($"before the login is confirmed: {unconfirmed.Error?.Reason}");

// The code went out through the outbox; the embedding service's mailer delivers it, and the
// person types it back. Here it is read from the outbox, as that mailer would.
string code;
await using (var db = new HostingDbContext(options))
{
    var message = db.Set<OutboxMessage>().AsNoTracking()
        .Where(m => m.Kind == NotificationKinds.LoginConfirmation && m.Recipient == "embedded@example.com").ToList().OrderBy(m => m.CreatedAt).Last();
    code = message.Body.Split("once): ")[1][..LoginConfirmation.CodeDigits];
}

var pending = (await UnitOfWork().Accounts.AuthenticateAsync(signIn.Value.Token, allowUnconfirmedLogin: true)).Value;
var confirmed = await UnitOfWork().Accounts.ConfirmLoginAsync(pending, code);
Console.WriteLine($"login confirmed: {confirmed.Value.LoginConfirmed}");
var user = (await UnitOfWork().Accounts.AuthenticateAsync(signIn.Value.Token)).Value;
var contact = new ContactDetails
{
    Kind = HolderKind.Company, FirstName = "Ann", LastName = "Meier", CompanyName = "Embedded SA",
    Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
};
var organization = await UnitOfWork().Organizations.CreateAsync(user, contact);
Console.WriteLine($"organization: {organization.Value.Organization.Name}, legal representative: {organization.Value.Me.IsLegalRepresentative}");

var leave = await UnitOfWork().Organizations.LeaveAsync(user, organization.Value.Organization.Id);
Console.WriteLine($"last user leaving refused: {leave.Error?.Reason}");

if (!signUp.IsSuccess || weak.Error?.Reason != "PASSWORD_TOO_COMMON" || unconfirmed.Error?.Reason != "LOGIN_NOT_CONFIRMED" || leave.Error?.Reason != "LAST_USER" || !organization.IsSuccess)
{
    Console.Error.WriteLine("embedded sample failed");
    return 1;
}

Console.WriteLine("embedded sample passed");
return 0;
