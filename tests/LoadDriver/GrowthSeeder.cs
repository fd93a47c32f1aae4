using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Hosting.LoadDriver;

/// <summary>
/// Grows one customer's lists straight in the store (SQLite or PostgreSQL), each new row a copy of a
/// row the host wrote (so every column is one the host reads back), with its own id and an older timestamp.
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
        /// <summary>The mailboxes of the organization's mail service, each in the account's webmail.</summary>
        Mailboxes,
    }

    /// <summary>Brings the lists of the customer named by <paramref name="lists"/> to <paramref name="rows"/> each.</summary>
    public static async Task SeedAsync(GrowthStore store, Customer customer, int rows, Lists lists)
    {
        await using var connection = await store.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var seeding = new Seeding(connection, transaction, store);
        var org = store.Key(customer.OrganizationId);
        var account = await seeding.ScalarAsync(@"SELECT ""AccountId"" FROM ""Memberships"" WHERE ""OrganizationId"" = @o", ("o", org));
        var wallet = await seeding.ScalarAsync(@"SELECT ""Id"" FROM ""Wallets"" WHERE ""OrganizationId"" = @o", ("o", org));
        var invoice = await seeding.ScalarAsync(@"SELECT ""Id"" FROM ""Invoices"" WHERE ""OrganizationId"" = @o LIMIT 1", ("o", org));
        var ledger = await seeding.ScalarAsync(@"SELECT ""Id"" FROM ""LedgerTransactions"" WHERE ""WalletId"" = @w LIMIT 1", ("w", wallet));
        var product = store.Key(customer.ProductId);
        var n = rows - 1;

        switch (lists)
        {
            case Lists.Members:
                await SeedMembersAsync(seeding, account, n);
                await seeding.ExecuteAsync($@"UPDATE ""Organizations"" SET ""MemberCount"" = ""MemberCount"" + {n} WHERE ""Id"" = @o", ("o", org));
                break;
            case Lists.Billing:
                await SeedBillingAsync(seeding, product, invoice, ledger, n);
                await SeedMoreAsync(seeding, org, account, wallet, product, n);
                break;
            case Lists.Mailboxes:
                await SeedMailboxesAsync(seeding, org, account, n);
                break;
            default:
                await SeedOrganizationsAsync(seeding, org, n);
                break;
        }

        await transaction.CommitAsync();
        await new Seeding(connection, null, store).ExecuteAsync("ANALYZE;");
    }

    private static async Task SeedMembersAsync(Seeding s, object account, int n)
    {
        // Accounts first (members need a login), then their memberships.
        await s.CloneAsync("Accounts", @"""Id"" = @t", account, n, new()
        {
            ["Id"] = s.Store.Id("A1"),
            ["Login"] = "'member-' || i || '@bench.example'",
            ["CurrentOrganizationId"] = "NULL",
        });
        await s.CloneAsync("Memberships", @"""AccountId"" = @t", account, n, new()
        {
            ["AccountId"] = s.Store.Id("A1"),
            ["JoinedAt"] = $"\"JoinedAt\" - i * {Second}",
            ["IsAdministrator"] = s.Store.False,
            ["HasBillingRights"] = s.Store.False,
            ["IsLegalRepresentative"] = s.Store.False,
            ["ProductIds"] = s.Store.NoIds,
        });
    }

    private static async Task SeedBillingAsync(Seeding s, object product, object invoice, object ledger, int n)
    {
        await s.CloneAsync("Products", @"""Id"" = @t", product, n, new()
        {
            ["Id"] = s.Store.Id("B2"),
            ["Name"] = "'grown-' || i || '.ch'",
            ["Status"] = "1",
            ["RenewalDate"] = "NULL",
            ["InvoiceId"] = "NULL",
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
        var lastInvoice = Convert.ToInt64(await s.ScalarAsync(@"SELECT MAX(""SequenceNumber"") FROM ""Invoices"""), CultureInfo.InvariantCulture);
        await s.CloneAsync("Invoices", @"""Id"" = @t", invoice, n, new()
        {
            ["Id"] = s.Store.Id("C3"),
            ["SequenceNumber"] = $"{lastInvoice} + i",
            ["IssuedAt"] = $"\"IssuedAt\" - i * {Second}",
        });
        await s.CloneAsync("LedgerTransactions", @"""Id"" = @t", ledger, n, new()
        {
            ["Id"] = s.Store.Id("D4"),
            ["At"] = $"\"At\" - i * {Second}",
        });
        await s.CloneAsync("LedgerEntries", @"""TransactionId"" = @t", ledger, n, new()
        {
            ["TransactionId"] = s.Store.Id("D4"),
        });
    }

    private static async Task SeedMoreAsync(Seeding s, object org, object account, object wallet, object product, int n)
    {
        // Template rows the host wrote during the setup: a withdrawal, an invitation, a credential, sessions, activity, outbox mail.
        var withdrawal = await s.ScalarAsync(@"SELECT ""Id"" FROM ""Withdrawals"" WHERE ""WalletId"" = @w LIMIT 1", ("w", wallet));
        await s.CloneAsync("Withdrawals", @"""Id"" = @t", withdrawal, n, new()
        {
            ["Id"] = s.Store.Id("E5"),
            ["RequestedAt"] = $"\"RequestedAt\" - i * {Second}",
        });
        var invitation = await s.ScalarAsync(@"SELECT ""Id"" FROM ""Invitations"" WHERE ""OrganizationId"" = @o LIMIT 1", ("o", org));
        // An organization invites many addresses, and an address is invited by many organizations
        // (those of the account grown in SeedOrganizationsAsync, seeded first): never one pair 100,000 times.
        await s.CloneAsync("Invitations", @"""Id"" = @t", invitation, n, new()
        {
            ["Id"] = s.Store.Id("F6"),
            ["Email"] = "'invitee-' || i || '@bench.example'",
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
        await s.CloneAsync("Invitations", @"""Id"" = @t", invitation, n, new()
        {
            ["Id"] = s.Store.Id("FC"),
            ["OrganizationId"] = s.Store.Id("EB"),
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
        var credential = await s.ScalarAsync(@"SELECT ""Id"" FROM ""ProductCredentials"" WHERE ""ProductId"" = @p LIMIT 1", ("p", product));
        await s.CloneAsync("ProductCredentials", @"""Id"" = @t", credential, n, new()
        {
            ["Id"] = s.Store.Id("A7"),
            ["Username"] = "'grown' || i",
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
        var session = await s.ScalarAsync(@"SELECT ""Id"" FROM ""Sessions"" WHERE ""AccountId"" = @a LIMIT 1", ("a", account));
        await s.CloneAsync("Sessions", @"""Id"" = @t", session, n, new()
        {
            ["Id"] = s.Store.Id("B8"),
            ["TokenDigest"] = "'grown-' || i",
            // Milliseconds apart: every seeded session stays within the sessions' lifetime.
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Millisecond}",
        });
        var activity = await s.ScalarAsync(@"SELECT ""Id"" FROM ""ActivityEntries"" WHERE ""AccountId"" = @a LIMIT 1", ("a", account));
        await s.CloneAsync("ActivityEntries", @"""Id"" = @t", activity, n, new()
        {
            ["Id"] = s.Store.Id("C9"),
            ["At"] = $"\"At\" - i * {Second}",
        });
        var mail = await s.ScalarAsync(@"SELECT ""Id"" FROM ""Outbox"" LIMIT 1");
        await s.CloneAsync("Outbox", @"""Id"" = @t", mail, n + 1, new()
        {
            ["Id"] = s.Store.Id("DA"),
            ["SentAt"] = "NULL",
            ["ParkedAt"] = "\"CreatedAt\"",
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
    }

    private static async Task SeedMailboxesAsync(Seeding s, object org, object account, int n)
    {
        // The mail service's one mailbox and the account's webmail link to it, both written by the host.
        var mailbox = await s.ScalarAsync(@"SELECT ""Id"" FROM ""Mailboxes"" WHERE ""OrganizationId"" = @o LIMIT 1", ("o", org));
        await s.CloneAsync("Mailboxes", @"""Id"" = @t", mailbox, n, new()
        {
            ["Id"] = s.Store.Id("AE"),
            ["Address"] = $"'box-' || i || substr(\"Address\", {s.Store.Position}(\"Address\", '@'))",
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
        await s.CloneAsync("WebmailLinks", @"""AccountId"" = @t", account, n, new()
        {
            ["MailboxId"] = s.Store.Id("AE"),
            ["LinkedAt"] = $"\"LinkedAt\" - i * {Second}",
        });
    }

    private static async Task SeedOrganizationsAsync(Seeding s, object org, int n)
    {
        // Organizations of one account: copies of its first, each with the account as its only member.
        await s.CloneAsync("Organizations", @"""Id"" = @t", org, n, new()
        {
            ["Id"] = s.Store.Id("EB"),
            ["Name"] = "'grown-' || i",
            ["CreatedAt"] = $"\"CreatedAt\" - i * {Second}",
        });
        await s.CloneAsync("Memberships", @"""OrganizationId"" = @t", org, n, new()
        {
            ["OrganizationId"] = s.Store.Id("EB"),
            ["OrganizationCreatedAt"] = $"\"OrganizationCreatedAt\" - i * {Second}",
            ["JoinedAt"] = $"\"JoinedAt\" - i * {Second}",
        });
    }

    /// <summary>The id of seeded row <paramref name="i"/> of a table (tag keeps tables apart).</summary>
    public static string SeededId(string tag, long i) => $"0000{tag}00-0000-4000-8000-{i:X12}";

    /// <summary>A page token (time, id), encoded as the service encodes it.</summary>
    public static string Token(long ticks, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ticks.ToString(CultureInfo.InvariantCulture)}:{Guid.Parse(id):N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The page token (time, id) of a row, encoded as the service encodes it.</summary>
    public static async Task<string> TokenAsync(GrowthStore store, string table, string timeColumn, string idColumn, string id)
    {
        await using var connection = await store.OpenAsync();
        var ticks = Convert.ToInt64(
            await new Seeding(connection, null, store).ScalarAsync($@"SELECT ""{timeColumn}"" FROM ""{table}"" WHERE ""{idColumn}"" = @id", ("id", store.Key(Guid.Parse(id)))),
            CultureInfo.InvariantCulture);
        return Token(ticks, id);
    }

    private const long Second = TimeSpan.TicksPerSecond;

    private const long Millisecond = TimeSpan.TicksPerMillisecond;

    /// <summary>One seeding's connection, transaction and dialect.</summary>
    private sealed record Seeding(DbConnection Connection, DbTransaction? Transaction, GrowthStore Store)
    {
        public async Task ExecuteAsync(string sql, params (string, object)[] parameters)
        {
            await using var command = Command(sql, parameters);
            await command.ExecuteNonQueryAsync();
        }

        public async Task<object> ScalarAsync(string sql, params (string, object)[] parameters)
        {
            await using var command = Command(sql, parameters);
            return await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"No row for: {sql}");
        }

        /// <summary>Inserts <paramref name="count"/> copies of the rows matching <paramref name="where"/> (with @t = <paramref name="template"/>), i = 1..count, with the columns in <paramref name="overrides"/> computed.</summary>
        public async Task CloneAsync(string table, string where, object template, int count, Dictionary<string, string> overrides)
        {
            if (count <= 0)
            {
                return;
            }

            var columns = await ColumnsAsync(table);
            var list = string.Join(", ", columns.Select(c => $"\"{c}\""));
            var values = string.Join(", ", columns.Select(c => overrides.TryGetValue(c, out var e) ? e : $"\"{c}\""));
            await ExecuteAsync($@"INSERT INTO ""{table}"" ({list}) SELECT {values} FROM {Store.Series(count)}, (SELECT * FROM ""{table}"" WHERE {where}) AS template", ("t", template));
        }

        private async Task<List<string>> ColumnsAsync(string table)
        {
            var columns = new List<string>();
            await using var command = Command(Store.ColumnsSql, [("table", table)]);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns.Add(reader.GetString(0));
            }

            return columns;
        }

        private DbCommand Command(string sql, (string Name, object Value)[] parameters)
        {
            var command = Connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = Transaction;
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }

            return command;
        }
    }
}
