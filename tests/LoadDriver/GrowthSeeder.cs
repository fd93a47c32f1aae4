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
    /// <summary>Brings the members, or the due products, invoices and ledger transactions, of the customer to <paramref name="rows"/> each.</summary>
    public static async Task SeedAsync(string databasePath, Customer customer, int rows, bool members)
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

        if (members)
        {
            await SeedMembersAsync(connection, account, n);
        }
        else
        {
            await SeedBillingAsync(connection, product, invoice, ledger, n);
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

    /// <summary>The id of seeded row <paramref name="i"/> of a table (tag keeps tables apart), as EF Core stores a Guid.</summary>
    public static string SeededId(string tag, long i) => $"0000{tag}00-0000-4000-8000-{i:X12}";

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
