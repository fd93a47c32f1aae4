using System.Data.Common;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Persistence;
using Hosting.Persistence.Stores;
using Hosting.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Xunit.Abstractions;

namespace Hosting.Tests.Core;

/// <summary>
/// Each list read as a deep page (a token given) is a seek on an index ending with the id, not a
/// scan or a sort: SQLite's own plan for the statement the store sends says so (API-4).
/// </summary>
public sealed class KeysetPlanTests(ITestOutputHelper output) : IDisposable
{
    private readonly AccountsHarness _h = new();
    private readonly CapturedCommands _captured = new();

    public void Dispose() => _h.Dispose();

    public static TheoryData<string, string> Lists => new()
    {
        { "members", "IX_Memberships_OrganizationId_JoinedAt_AccountId" },
        { "organizations of an account", "IX_Memberships_AccountId_OrganizationCreatedAt_OrganizationId" },
        { "invitations of an organization", "IX_Invitations_OrganizationId_CreatedAt_Id" },
        { "invitations of the invitee", "IX_Invitations_Email_CreatedAt_Id" },
        { "products", "IX_Products_OrganizationId_CreatedAt_Id" },
        { "sessions", "IX_Sessions_AccountId_CreatedAt_Id" },
        { "activity", "IX_ActivityEntries_AccountId_At_Id" },
        { "invoices", "IX_Invoices_OrganizationId_IssuedAt_Id" },
        { "credit notes", "IX_CreditNotes_OrganizationId_IssuedAt_Id" },
        { "ledger transactions", "IX_LedgerTransactions_WalletId_At_Id" },
        { "mailboxes", "IX_Mailboxes_MailServiceId_CreatedAt_Id" },
        { "vouchers", "IX_FreeVouchers_OrganizationId_GrantedAt_Id" },
        { "withdrawals", "IX_Withdrawals_OrganizationId_RequestedAt_Id" },
        { "webmail links", "IX_WebmailLinks_AccountId_LinkedAt_MailboxId" },
        { "product credentials", "IX_ProductCredentials_ProductId_CreatedAt_Id" },
        { "parked notifications", "IX_Outbox_Parked_SentAt_CreatedAt_Id" },
        { "to pay, awaiting first payment", "IX_Products_OrganizationId_Status_RenewalDate_Id" },
        { "to pay, due for renewal", "IX_Products_OrganizationId_Status_RenewalDate_Id" },
    };

    [Theory]
    [MemberData(nameof(Lists))]
    [Trait("Rule", "API-4")]
    public async Task ADeepPage_IsASeekOnAnIndexEndingWithTheId(string list, string index)
    {
        var after = new PageToken(AccountsHarness.Start, Guid.NewGuid());
        var id = Guid.NewGuid();
        await using var db = Db();
        Func<Task> read = list switch
        {
            "members" => () => new EfOrganizationStore(db).ListMembersAsync(id, after, 51, default),
            "organizations of an account" => () => new EfOrganizationStore(db).ListForAccountAsync(id, after, 51, default),
            "invitations of an organization" => () => new EfOrganizationStore(db).ListInvitationsAsync(id, after, 51, default),
            "invitations of the invitee" => () => new EfOrganizationStore(db).ListPendingInvitationsForAsync(EmailAddress.FromTrusted("a@example.com"), AccountsHarness.Start, after, 51, default),
            "products" => () => new EfOrganizationStore(db).ListProductsAsync(id, null, after, 51, default),
            "sessions" => () => new EfAccountStore(db).ListActiveSessionsAsync(id, AccountsHarness.Start, AccountsHarness.Start, after, 51, default),
            "activity" => () => new EfAccountStore(db).ListActivityAsync(id, after, 51, default),
            "invoices" => () => new EfBillingStore(db).InvoicesAsync(id, after, 51, default),
            "credit notes" => () => new EfBillingStore(db).CreditNotesAsync(id, after, 51, default),
            "ledger transactions" => () => new EfWalletStore(db).ListTransactionsAsync(id, after, 51, default),
            "vouchers" => () => new EfBillingStore(db).UnusedVouchersAsync(id, after, 51, default),
            "mailboxes" => () => new EfMailboxStore(db).ListForServiceAsync(id, after, 51, default),
            "withdrawals" => () => new EfWalletStore(db).ListWithdrawalsAsync(id, after, 51, default),
            "webmail links" => () => new EfMailboxStore(db).WebmailOfAccountAsync(id, after, 51, default),
            "product credentials" => () => new EfMailboxStore(db).CredentialsOfProductAsync(id, after, 51, default),
            "parked notifications" => () => new EfOutboxStore(db).ParkedAsync(after, 51, default),
            // A token in the awaiting part reads its rest, then (the page not full) the start of the due part.
            "to pay, awaiting first payment" => () => new EfOrganizationStore(db).ListDueProductsAsync(id, AccountsHarness.Start, after with { Time = DateTimeOffset.MinValue }, 51, default),
            "to pay, due for renewal" => () => new EfOrganizationStore(db).ListDueProductsAsync(id, AccountsHarness.Start, after, 51, default),
            _ => throw new ArgumentOutOfRangeException(nameof(list)),
        };
        await read();

        Assert.NotEmpty(_captured.Readers);
        foreach (var command in _captured.Readers)
        {
            await AssertSeekAsync(db, list, index, command);
        }
    }

    public static TheoryData<string> KeyReads => new()
    {
        "organization with the caller's membership",
        "organization with two members' rows",
        "session by token, with its account's login state",
        "the caller's current organization",
    };

    [Theory]
    [MemberData(nameof(KeyReads))]
    [Trait("Rule", "ORG-6")]
    public async Task AnOrganizationScopedCallsReads_AreKeyLookups_NeverAScanOfTheMembers(string read)
    {
        var id = Guid.NewGuid();
        await using var db = Db();
        Func<Task> run = read switch
        {
            "organization with the caller's membership" => () => new EfOrganizationStore(db).FindAsync(id, [Guid.NewGuid()], default),
            "organization with two members' rows" => () => new EfOrganizationStore(db).FindAsync(id, [Guid.NewGuid(), Guid.NewGuid()], default),
            "session by token, with its account's login state" => () => new EfAccountStore(db).FindSessionWithLoginAsync("digest", default),
            "the caller's current organization" => () => new EfAccountStore(db).FindCurrentOrganizationAsync(id, default),
            _ => throw new ArgumentOutOfRangeException(nameof(read)),
        };
        await run();

        Assert.NotEmpty(_captured.Readers);
        foreach (var command in _captured.Readers)
        {
            var plan = await PlanAsync(db, command);
            output.WriteLine($"{read}:\n  {string.Join("\n  ", plan)}");

            // The organization is read in a one-row co-routine (its LIMIT 1), then its named members by
            // primary key; only that one row is scanned, and only its few member rows ordered.
            var oneRow = plan.Where(step => step.StartsWith("CO-ROUTINE ", StringComparison.Ordinal)).Select(step => "SCAN " + step["CO-ROUTINE ".Length..]).ToHashSet();
            Assert.All(plan.Where(step => step.StartsWith("SEARCH", StringComparison.Ordinal)), step => Assert.Matches(@"USING (INDEX \S+|PRIMARY KEY) \(\w+=\?( AND \w+=\?)*\)", step));
            Assert.All(plan.Where(step => step.Contains("Memberships", StringComparison.Ordinal)), step => Assert.Contains("AccountId=?", step, StringComparison.Ordinal));
            Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) && !oneRow.Contains(step));
            Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal) && oneRow.Count == 0);
        }
    }

    [Fact]
    [Trait("Rule", "ORD-3")]
    public async Task PayingOrCancellingAnUnpaidInvoice_ReadsItsProductsByTheInvoice_NotEveryProductOfTheOrganization()
    {
        await using var db = Db();
        await new EfOrganizationStore(db).ListInvoiceProductsAsync(Guid.NewGuid(), Guid.NewGuid(), default);

        var command = Assert.Single(_captured.Readers);
        var plan = await PlanAsync(db, command);
        output.WriteLine(string.Join("\n", plan));
        Assert.Equal(["SEARCH p USING INDEX IX_Products_InvoiceId (InvoiceId=?)"], plan);
    }

    private async Task AssertSeekAsync(HostingDbContext db, string list, string index, (string Sql, List<(string Name, object? Value)> Parameters) command)
    {
        var plan = await PlanAsync(db, command);
        output.WriteLine($"{list}:\n  {string.Join("\n  ", plan)}");

        // A list read with its owned rows (the ledger's entries) pages in a co-routine first: only
        // that page is scanned and ordered again, never the table.
        var pages = plan.Where(step => step.StartsWith("CO-ROUTINE ", StringComparison.Ordinal)).Select(step => "SCAN " + step["CO-ROUTINE ".Length..]).ToHashSet();
        Assert.Contains(plan, step => step.StartsWith("SEARCH", StringComparison.Ordinal) && step.Contains(index, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) && !pages.Contains(step));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal) && !(pages.Count > 0 && step.Contains("LAST TERM", StringComparison.Ordinal)));
    }

    private HostingDbContext Db()
    {
        var connection = _h.NewDb().Database.GetDbConnection();
        return new HostingDbContext(new DbContextOptionsBuilder<HostingDbContext>().UseSqlite(connection).AddInterceptors(_captured).Options);
    }

    private static async Task<List<string>> PlanAsync(HostingDbContext db, (string Sql, List<(string Name, object? Value)> Parameters) command)
    {
        await using var explain = db.Database.GetDbConnection().CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + command.Sql;
        foreach (var (name, value) in command.Parameters)
        {
            var parameter = explain.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            explain.Parameters.Add(parameter);
        }

        var steps = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }

        return steps;
    }
}
