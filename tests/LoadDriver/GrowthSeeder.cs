using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Hosting.LoadDriver;

/// <summary>
/// Grows one customer's lists straight in SQLite, each new row a copy of a row the host wrote
/// (so every column is one the host reads back), with its own id and an older timestamp.
/// </summary>
internal static class GrowthSeeder
{
    /// <summary>What grows for a customer.</summary>
    public enum Lists
    {
        /// <summary>The organization's members.</summary>
        Members,
        /// <summary>The organization's products (all due), invoices, ledger, withdrawals, invitations, credentials; the account's sessions and activity; parked notifications.</summary>
        Billing,
        /// <summary>The organizations the account belongs to.</summary>
        Organizations,
    }

    /// <summary>Brings the lists of the customer named by <paramref name="lists"/> to <paramref name="rows"/> each.</summary>
    public static async Task SeedAsync(string databasePath, Customer customer, int rows, Lists lists)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        var org = customer.OrganizationId.ToString().ToUpperInvariant();
        var account = (string)(await ScalarAsync(connection, @"SELECT ""AccountId"" FROM ""Memberships"" WHERE ""OrganizationId"" = $o", ("$o", org)))!;
        var wallet = (string)(await ScalarAsync(connection, @"SELECT ""Id"" FROM ""Wallets"" WHERE ""OrganizationId"" = $o", ("$o", org)))!;
        var invoice = (string)(await ScalarAsync(connection, @"SELECT ""Id"" FROM ""Invoices"" WHERE ""OrganizationId"" = $o LIMIT 1", ("$o", org)))!;
        var ledger = (string)(await ScalarAsync(connection, @"SELECT ""Id"" FROM ""LedgerTransactions"" WHERE ""WalletId"" = $w LIMIT 1", ("$w", wallet)))!;
        var product = customer.ProductId.ToString().ToUpperInvariant();
        var n = rows - 1;

        switch (lists)
        {
            case Lists.Members:
                await SeedMembersAsync(connection, account, n);
                await ExecuteAsync(connection, $@"UPDATE ""Organizations"" SET ""MemberCount"" = ""MemberCount"" + {n} WHERE ""Id"" = $o", ("$o", org));
                break;
            case Lists.Billing:
                await SeedBillingAsync(connection, product, invoice, ledger, n);
                await SeedMoreAsync(connection, org, account, wallet, product, n);
                break;
            default:
                await SeedOrganizationsAsync(connection, org, account, n);
                break;
        }

        await transaction.CommitAsync();
        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE;";
        await analyze.ExecuteNonQueryAsync();
    }

    private static async Task SeedMembersAsync(SqliteConnection connection, string account, int n)
    {
        // Accounts first (members need a login), then their memberships.
        await CloneAsync(connection, "Accounts", @"""Id"" = $t", account, n, new()
        {
            ["Id"] = Id("A1"),
            ["Login"] = "'member-' || i || '@bench.example'",
            ["CurrentOrganizationId"] = "NULL",
        });
        await CloneAsync(connection, "Memberships", @"""AccountId"" = $t", account, n, new()
        {
            ["AccountId"] = Id("A1"),
            ["JoinedAt"] = $"\"JoinedAt\" - i * {Second}",
            ["IsAdministrator"] = "0",
            ["HasBillingRights"] = "0",
            ["IsLegalRepresentative"] = "0",
            ["ProductIds"] = "'[]'",
        });
    }

    private static async Task SeedBillingAsync(SqliteConnection connection, string product, string invoice, string ledger, int n)
    {
        await CloneAsync(connection, "Products", @"""Id"" = $t", product, n, new()
        {
            ["Id"] = Id("B2"),
            ["Name"] = "'grown-' || i || '.ch'",
            ["Status"] = "1",
            ["RenewalDate"] = "NULL",
            ["InvoiceId"] = "NULL",
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
        var lastInvoice = Convert.ToInt64(await ScalarAsync(connection, @"SELECT MAX(""SequenceNumber"") FROM ""Invoices"""), CultureInfo.InvariantCulture);
        await CloneAsync(connection, "Invoices", @"""Id"" = $t", invoice, n, new()
        {
            ["Id"] = Id("C3"),
            ["SequenceNumber"] = $"{lastInvoice} + i",
            ["IssuedAt"] = $"\"IssuedAt\" - i * {Second}",
        });
        await CloneAsync(connection, "LedgerTransactions", @"""Id"" = $t", ledger, n, new()
        {
            ["Id"] = Id("D4"),
            ["At"] = $"\"At\" - i * {Second}",
        });
        await CloneAsync(connection, "LedgerEntries", @"""TransactionId"" = $t", ledger, n, new()
        {
            ["TransactionId"] = Id("D4"),
        });
    }

    private static async Task SeedMoreAsync(SqliteConnection connection, string org, string account, string wallet, string product, int n)
    {
        // Template rows the host wrote during the setup: a withdrawal, an invitation, a credential, sessions, activity, outbox mail.
        var withdrawal = (string)(await ScalarAsync(connection, @"SELECT ""Id"" FROM ""Withdrawals"" WHERE ""WalletId"" = $w LIMIT 1", ("$w", wallet)))!;
        await CloneAsync(connection, "Withdrawals", @"""Id"" = $t", withdrawal, n, new()
        {
            ["Id"] = Id("E5"),
            ["RequestedAt"] = $"\"RequestedAt\" - i * {Second}",
        });
        var invitation = (string)(await ScalarAsync(connection, @"SELECT ""Id"" FROM ""Invitations"" WHERE ""OrganizationId"" = $o LIMIT 1", ("$o", org)))!;
        // An organization invites many addresses, and an address is invited by many organizations
        // (those of the account grown in SeedOrganizationsAsync, seeded first): never one pair 100,000 times.
        await CloneAsync(connection, "Invitations", @"""Id"" = $t", invitation, n, new()
        {
            ["Id"] = Id("F6"),
            ["Email"] = "'invitee-' || i || '@bench.example'",
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
        await CloneAsync(connection, "Invitations", @"""Id"" = $t", invitation, n, new()
        {
            ["Id"] = Id("FC"),
            ["OrganizationId"] = Id("EB"),
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
        var credential = (string)(await ScalarAsync(connection, @"SELECT ""Id"" FROM ""ProductCredentials"" WHERE ""ProductId"" = $p LIMIT 1", ("$p", product)))!;
        await CloneAsync(connection, "ProductCredentials", @"""Id"" = $t", credential, n, new()
        {
            ["Id"] = Id("A7"),
            ["Username"] = "'grown' || i",
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
        var session = (string)(await ScalarAsync(connection, @"SELECT ""Id"" FROM ""Sessions"" WHERE ""AccountId"" = $a LIMIT 1", ("$a", account)))!;
        await CloneAsync(connection, "Sessions", @"""Id"" = $t", session, n, new()
        {
            ["Id"] = Id("B8"),
            ["TokenDigest"] = "'grown-' || i",
            // Milliseconds apart: every seeded session stays within the sessions' lifetime.
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Millisecond}",
        });
        var activity = (string)(await ScalarAsync(connection, @"SELECT ""Id"" FROM ""ActivityEntries"" WHERE ""AccountId"" = $a LIMIT 1", ("$a", account)))!;
        await CloneAsync(connection, "ActivityEntries", @"""Id"" = $t", activity, n, new()
        {
            ["Id"] = Id("C9"),
            ["At"] = $"\"At\" - i * {Second}",
        });
        var mail = (string)(await ScalarAsync(connection, @"SELECT ""Id"" FROM ""Outbox"" LIMIT 1"))!;
        await CloneAsync(connection, "Outbox", @"""Id"" = $t", mail, n + 1, new()
        {
            ["Id"] = Id("DA"),
            ["SentAt"] = "NULL",
            ["ParkedAt"] = "\"CreatedAt\"",
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
    }

    private static async Task SeedOrganizationsAsync(SqliteConnection connection, string org, string account, int n)
    {
        // Organizations of one account: copies of its first, each with the account as its only member.
        await CloneAsync(connection, "Organizations", @"""Id"" = $t", org, n, new()
        {
            ["Id"] = Id("EB"),
            ["Name"] = "'grown-' || i",
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
        await CloneAsync(connection, "Memberships", @"""OrganizationId"" = $t", org, n, new()
        {
            ["OrganizationId"] = Id("EB"),
            ["OrganizationCreatedAt"] = $"\"OrganizationCreatedAt\" - i * {Second}",
            ["JoinedAt"] = $"\"JoinedAt\" - i * {Second}",
        });
    }

    /// <summary>The id of seeded row <paramref name="i"/> of a table (tag keeps tables apart), as EF Core stores a Guid.</summary>
    public static string SeededId(string tag, long i) => $"0000{tag}00-0000-4000-8000-{i:X12}";

    /// <summary>A page token (time, id), encoded as the service encodes it.</summary>
    public static string Token(long ticks, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ticks.ToString(CultureInfo.InvariantCulture)}:{Guid.Parse(id):N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The page token (time, id) of a row, encoded as the service encodes it.</summary>
    public static async Task<string> TokenAsync(string databasePath, string table, string timeColumn, string idColumn, string id)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $@"SELECT ""{timeColumn}"" FROM ""{table}"" WHERE ""{idColumn}"" = $id";
        command.Parameters.AddWithValue("$id", id);
        var ticks = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        var text = $"{ticks.ToString(CultureInfo.InvariantCulture)}:{Guid.Parse(id):N}";
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private const long Second = TimeSpan.TicksPerSecond;

    private const long Millisecond = TimeSpan.TicksPerMillisecond;

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, params (string, object)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }

    private static string Id(string tag) => $"'0000{tag}00-0000-4000-8000-' || printf('%012X', i)";

    private static async Task CloneAsync(SqliteConnection connection, string table, string where, string template, int count, Dictionary<string, string> overrides)
    {
        if (count <= 0)
        {
            return;
        }

        var columns = new List<string>();
        await using (var info = connection.CreateCommand())
        {
            info.CommandText = $@"PRAGMA table_info(""{table}"")";
            await using var reader = await info.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns.Add(reader.GetString(1));
            }
        }

        var list = string.Join(", ", columns.Select(c => $"\"{c}\""));
        var values = string.Join(", ", columns.Select(c => overrides.TryGetValue(c, out var e) ? e : $"\"{c}\""));
        await using var command = connection.CreateCommand();
        command.CommandText = $@"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
INSERT INTO ""{table}"" ({list}) SELECT {values} FROM n, (SELECT * FROM ""{table}"" WHERE {where})";
        command.Parameters.AddWithValue("$t", template);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, params (string, object)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }
}
