using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Hosting.LoadDriver;

/// <summary>
/// The reference of the wallet payment on SQLite: the host's statements for one checkout (<see cref="CheckoutSql"/>)
/// sent through raw Microsoft.Data.Sqlite in one transaction, with the rows of the customers the host paid for.
/// </summary>
internal sealed class RawSqliteCheckout(string databasePath)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true, DefaultTimeout = 30 }.ToString();

    public sealed record Target(string TokenDigest, string OrganizationId, string ProductId, string Invoice, Dictionary<string, object?> InvoiceTemplate, Dictionary<string, object?> TransactionTemplate, List<(string Account, long Amount)> Entries);

    /// <summary>Reads, for each customer, its session digest and the last invoice and payment the host wrote (the rows to repeat).</summary>
    public async Task<Target[]> TargetsAsync(IEnumerable<Customer> customers)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        var targets = new List<Target>();
        foreach (var c in customers)
        {
            var org = c.OrganizationId.ToString().ToUpperInvariant();
            var digest = (string)(await ScalarAsync(connection, @"SELECT ""TokenDigest"" FROM ""Sessions"" WHERE ""AccountId"" = (SELECT ""AccountId"" FROM ""Memberships"" WHERE ""OrganizationId"" = $o LIMIT 1) ORDER BY ""CreatedAt"" DESC LIMIT 1", ("$o", org)))!;
            var invoice = await RowAsync(connection, @"SELECT * FROM ""Invoices"" WHERE ""OrganizationId"" = $o ORDER BY ""IssuedAt"" DESC LIMIT 1", ("$o", org));
            var reference = (string)invoice["PaymentReference"]!;
            var transactionId = reference["ledger:".Length..].ToUpperInvariant();
            var transaction = await RowAsync(connection, @"SELECT * FROM ""LedgerTransactions"" WHERE ""Id"" = $t", ("$t", transactionId));
            var entries = new List<(string, long)>();
            await using (var command = Command(connection, @"SELECT ""Account"", ""Amount"" FROM ""LedgerEntries"" WHERE ""TransactionId"" = $t ORDER BY ""Line""", ("$t", transactionId)))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    entries.Add((reader.GetString(0), reader.GetInt64(1)));
                }
            }

            targets.Add(new Target(digest, org, c.ProductId.ToString().ToUpperInvariant(), (string)invoice["Id"]!, invoice, transaction, entries));
        }

        return [.. targets];
    }

    /// <summary>One payment: every statement of the host's checkout, in one (immediate) transaction, the invoice number taken last as the host does.</summary>
    public async Task PayAsync(Target t, string requestId)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await DrainAsync(connection, CheckoutSql.Session, ("@tokenDigest", t.TokenDigest));
        await DrainAsync(connection, CheckoutSql.Organization, ("@id", t.OrganizationId));
        var key = $"{t.OrganizationId.ToLowerInvariant().Replace("-", string.Empty, StringComparison.Ordinal)}:checkout:{requestId}";
        await DrainAsync(connection, CheckoutSql.FindIdempotency, ("@key", key));
        var products = await RowsAsync(connection, CheckoutSql.Products, ("@organizationId", t.OrganizationId));
        await DrainAsync(connection, CheckoutSql.Catalogue);
        await DrainAsync(connection, CheckoutSql.Vouchers, ("@organizationId", t.OrganizationId));
        var wallet = await RowAsync(connection, CheckoutSql.Wallet, ("@organizationId", t.OrganizationId), ("@currency", "CHF"));
        var product = products.First(p => (string)p["Id"]! == t.ProductId);

        var now = DateTimeOffset.UtcNow.UtcTicks;
        var invoiceId = Guid.CreateVersion7().ToString().ToUpperInvariant();
        var transactionId = Guid.CreateVersion7().ToString().ToUpperInvariant();
        var total = -t.Entries.Where(e => e.Amount < 0).Sum(e => e.Amount);
        await ExecuteAsync(connection, CheckoutSql.InsertIdempotency, ("@p0", key), ("@p1", now), ("@p2", DBNull.Value), ("@p3", DBNull.Value), ("@p4", DBNull.Value), ("@p5", new string('0', 64)), ("@p6", invoiceId));
        var placeholder = long.MinValue + Random.Shared.NextInt64(0, long.MaxValue);
        var i = t.InvoiceTemplate;
        await ExecuteAsync(connection, CheckoutSql.InsertInvoice, ("@p0", i["Lines"]), ("@p1", invoiceId), ("@p2", i["BillingAddress"]), ("@p3", i["Currency"]), ("@p4", now), ("@p5", t.OrganizationId),
            ("@p6", i["OrganizationName"]), ("@p7", i["PaymentMethod"]), ("@p8", "ledger:" + transactionId.ToLowerInvariant()), ("@p9", placeholder));
        var x = t.TransactionTemplate;
        await ExecuteAsync(connection, CheckoutSql.InsertTransaction, ("@p0", transactionId), ("@p1", now), ("@p2", x["Currency"]), ("@p3", x["Kind"]), ("@p4", x["Reference"]), ("@p5", wallet["Id"]));
        await ExpectOneAsync(connection, CheckoutSql.UpdateProduct, ("@p0", (long)product["RenewalDate"]! + TimeSpan.FromDays(365).Ticks), ("@p1", product["Status"]), ("@p2", (long)product["Version"]! + 1), ("@p3", t.ProductId), ("@p4", product["Version"]));
        await ExpectOneAsync(connection, CheckoutSql.UpdateWallet, ("@p0", (long)wallet["Balance"]! - total), ("@p1", (long)wallet["Version"]! + 1), ("@p2", wallet["Id"]), ("@p3", wallet["Version"]));
        var line = 1;
        foreach (var (account, amount) in t.Entries)
        {
            await ExecuteAsync(connection, CheckoutSql.InsertEntry, ("@p0", line++), ("@p1", transactionId), ("@p2", account), ("@p3", amount));
        }

        var number = await ScalarAsync(connection, CheckoutSql.TakeNumber, ("@p0", 1));
        await ExecuteAsync(connection, CheckoutSql.NumberInvoice, ("@p0", number), ("@p1", invoiceId));

        await transaction.CommitAsync();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteScalarAsync();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task ExpectOneAsync(SqliteConnection connection, string sql, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        if (await command.ExecuteScalarAsync() is null)
        {
            throw new InvalidOperationException("Concurrency conflict in the raw reference: " + sql[..40]);
        }
    }

    private static async Task DrainAsync(SqliteConnection connection, string sql, params (string, object?)[] parameters) =>
        await RowsAsync(connection, sql, parameters);

    private static async Task<Dictionary<string, object?>> RowAsync(SqliteConnection connection, string sql, params (string, object?)[] parameters) =>
        (await RowsAsync(connection, sql, parameters)).First();

    private static async Task<List<Dictionary<string, object?>>> RowsAsync(SqliteConnection connection, string sql, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var f = 0; f < reader.FieldCount; f++)
            {
                row[reader.GetName(f)] = reader.IsDBNull(f) ? null : reader.GetValue(f);
            }

            rows.Add(row);
        }

        return rows;
    }
}
