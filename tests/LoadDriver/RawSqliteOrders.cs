using Microsoft.Data.Sqlite;
using static Hosting.LoadDriver.RawSqlite;

namespace Hosting.LoadDriver;

/// <summary>
/// The references of the order path on SQLite: the host's statements (<see cref="HostSql"/>) for confirming a
/// bank-transfer order and for paying its unpaid invoice from the wallet, each sent through raw
/// Microsoft.Data.Sqlite, its writes in one transaction, with rows like those the host wrote for the same customers.
/// </summary>
internal sealed class RawSqliteOrders(string databasePath)
{
    private static readonly string[] ConfirmEvents = ["invoice.issued", "product.ordered"];
    private static readonly string[] PayEvents = ["wallet.debited", "invoice.paid", "product.activated"];

    private readonly string _connectionString = ConnectionString(databasePath);

    public sealed record Target(string TokenDigest, string AccountId, string OrganizationId, Dictionary<string, object?> UnpaidInvoice, Dictionary<string, object?> PendingProduct,
        object PaidState, object ActiveStatus, Dictionary<string, object?> TransactionTemplate, List<(string Account, long Amount)> Entries, Dictionary<string, Dictionary<string, object?>> EventTemplates);

    /// <summary>Reads, for each customer, its session, an unpaid invoice with its pending product, and an invoice it paid from the wallet with its ledger rows.</summary>
    public Task<Target[]> TargetsAsync(IEnumerable<Customer> customers) =>
        PerCustomerAsync(_connectionString, customers, async (connection, _, org, caller) =>
        {
            var unpaid = await RowAsync(connection, @"SELECT * FROM ""Invoices"" WHERE ""OrganizationId"" = $o AND ""PaidAt"" IS NULL ORDER BY ""IssuedAt"" DESC LIMIT 1", ("$o", org));
            var pending = await RowAsync(connection, @"SELECT * FROM ""Products"" WHERE ""InvoiceId"" = $i", ("$i", unpaid["Id"]));
            var paid = await RowAsync(connection, @"SELECT * FROM ""Invoices"" WHERE ""OrganizationId"" = $o AND ""PaidAt"" IS NOT NULL AND ""PaymentMethod"" = 'wallet' ORDER BY ""IssuedAt"" DESC LIMIT 1", ("$o", org));
            var active = await RowAsync(connection, @"SELECT * FROM ""Products"" WHERE ""InvoiceId"" = $i", ("$i", paid["Id"]));
            var (transaction, entries) = await PaymentAsync(connection, (string)paid["PaymentReference"]!);
            return new Target(caller.Digest, caller.AccountId, org, unpaid, pending, paid["State"]!, active["Status"]!, transaction, entries,
                await EventTemplatesAsync(connection, org, [.. ConfirmEvents, .. PayEvents]));
        });

    /// <summary>One bank-transfer order: the host's statements in one (immediate) write transaction after its reads; the new invoice's id.</summary>
    public async Task<string> ConfirmAsync(Target t, string requestId)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await CallerReadsAsync(connection, t);
        var key = RequestKey(t.OrganizationId, "order", requestId);
        await DrainAsync(connection, HostSql.FindIdempotency, ("@key", key));
        await DrainAsync(connection, HostSql.Catalogue);
        await DrainAsync(connection, HostSql.Vouchers, ("@organizationId", t.OrganizationId));
        await DrainAsync(connection, HostSql.FindChargeAttempt, ("@key", key));

        // Reads outside the transaction and writes in one begun IMMEDIATE, as the host's unit of work does.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        var number = await ScalarAsync(connection, HostSql.TakeNumber, ("@p0", 1));
        var now = DateTimeOffset.UtcNow.UtcTicks;
        var invoiceId = NewId();
        await InsertEventAsync(connection, t.EventTemplates["invoice.issued"], t.OrganizationId, now);
        await InsertEventAsync(connection, t.EventTemplates["product.ordered"], t.OrganizationId, now);
        await ExecuteAsync(connection, HostSql.InsertIdempotency, ("@p0", key), ("@p1", now), ("@p2", 0), ("@p3", null), ("@p4", null), ("@p5", new string('0', 64)), ("@p6", invoiceId));
        await InsertInvoiceAsync(connection, t.UnpaidInvoice, invoiceId, (long)number!, now, t.UnpaidInvoice["PaymentReference"]);
        var p = t.PendingProduct;
        await ExecuteAsync(connection, HostSql.InsertProduct, ("@p0", NewId()), ("@p1", p["AutoRenew"]), ("@p2", now), ("@p3", p["Currency"]), ("@p4", invoiceId), ("@p5", "site " + requestId),
            ("@p6", t.OrganizationId), ("@p7", p["PeriodMonths"]), ("@p8", p["PriceMinor"]), ("@p9", p["RenewalDate"]), ("@p10", p["RenewalPaymentMethod"]), ("@p11", p["Status"]),
            ("@p12", null), ("@p13", p["Type"]), ("@p14", 1));
        await transaction.CommitAsync();
        return invoiceId;
    }

    /// <summary>One payment of an unpaid invoice from the wallet: the host's statements in one (immediate) write transaction after its reads.</summary>
    public async Task PayAsync(Target t, string invoiceId, string requestId)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await CallerReadsAsync(connection, t);
        var key = RequestKey(t.OrganizationId, "pay-invoice", requestId);
        await DrainAsync(connection, HostSql.FindIdempotency, ("@key", key));
        var invoice = await RowAsync(connection, HostSql.Invoice, ("@id", invoiceId));
        await DrainAsync(connection, HostSql.FindChargeAttempt, ("@key", key));
        var wallet = await RowAsync(connection, HostSql.Wallet, ("@organizationId", t.OrganizationId), ("@currency", "CHF"));
        var products = await RowsAsync(connection, HostSql.InvoiceProducts, ("@invoiceId", invoiceId));

        // Reads outside the transaction and writes in one begun IMMEDIATE, as the host's unit of work does.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        var now = DateTimeOffset.UtcNow.UtcTicks;
        var transactionId = NewId();
        var total = -t.Entries.Where(e => e.Amount < 0).Sum(e => e.Amount);
        foreach (var type in PayEvents)
        {
            await InsertEventAsync(connection, t.EventTemplates[type], t.OrganizationId, now);
        }

        await ExecuteAsync(connection, HostSql.InsertIdempotency, ("@p0", key), ("@p1", now), ("@p2", 0), ("@p3", null), ("@p4", null), ("@p5", new string('0', 64)), ("@p6", invoiceId));
        await ExpectOneAsync(connection, HostSql.MarkInvoicePaid, ("@p0", now), ("@p1", "wallet"), ("@p2", "ledger:" + transactionId.ToLowerInvariant()), ("@p3", t.PaidState),
            ("@p4", (long)invoice["Version"]! + 1), ("@p5", invoiceId), ("@p6", invoice["Version"]));
        var x = t.TransactionTemplate;
        await ExecuteAsync(connection, HostSql.InsertTransaction, ("@p0", transactionId), ("@p1", now), ("@p2", x["Currency"]), ("@p3", x["Kind"]), ("@p4", x["Reference"]), ("@p5", wallet["Id"]));
        foreach (var product in products)
        {
            await ExpectOneAsync(connection, HostSql.ActivateProduct, ("@p0", now + TimeSpan.FromDays(365).Ticks), ("@p1", t.ActiveStatus), ("@p2", (long)product["Version"]! + 1),
                ("@p3", product["Id"]), ("@p4", product["Version"]));
        }

        await ExpectOneAsync(connection, HostSql.UpdateWallet, ("@p0", (long)wallet["Balance"]! - total), ("@p1", (long)wallet["Version"]! + 1), ("@p2", wallet["Id"]), ("@p3", wallet["Version"]));
        await InsertEntriesAsync(connection, transactionId, t.Entries);
        await transaction.CommitAsync();
    }

    private static async Task CallerReadsAsync(SqliteConnection connection, Target t)
    {
        await DrainAsync(connection, HostSql.SessionWithLogin, ("@digest", t.TokenDigest));
        await DrainAsync(connection, HostSql.OrganizationWithMembership, ("@id", t.OrganizationId), ("@accountId", t.AccountId));
    }
}
