using Microsoft.Data.Sqlite;
using static Hosting.LoadDriver.RawSqlite;

namespace Hosting.LoadDriver;

/// <summary>
/// The reference of the wallet payment on SQLite: the host's statements for one checkout (<see cref="HostSql"/>)
/// sent through raw Microsoft.Data.Sqlite, its writes in one transaction, with the rows of the customers the host paid for.
/// </summary>
internal sealed class RawSqliteCheckout(string databasePath)
{
    // The events of a checkout, in the host's order.
    private static readonly string[] Events = ["wallet.debited", "invoice.issued", "invoice.paid", "product.renewed"];

    private readonly string _connectionString = ConnectionString(databasePath);

    public sealed record Target(string TokenDigest, string AccountId, string OrganizationId, string ProductId, Dictionary<string, object?> InvoiceTemplate,
        Dictionary<string, object?> TransactionTemplate, List<(string Account, long Amount)> Entries, Dictionary<string, Dictionary<string, object?>> EventTemplates);

    /// <summary>Reads, for each customer, its session and the last invoice, payment and events the host wrote (the rows to repeat).</summary>
    public Task<Target[]> TargetsAsync(IEnumerable<Customer> customers) =>
        PerCustomerAsync(_connectionString, customers, async (connection, customer, org, caller) =>
        {
            var invoice = await RowAsync(connection, @"SELECT * FROM ""Invoices"" WHERE ""OrganizationId"" = $o AND ""PaidAt"" IS NOT NULL ORDER BY ""IssuedAt"" DESC LIMIT 1", ("$o", org));
            var (transaction, entries) = await PaymentAsync(connection, (string)invoice["PaymentReference"]!);
            return new Target(caller.Digest, caller.AccountId, org, customer.ProductId.ToString().ToUpperInvariant(), invoice, transaction, entries, await EventTemplatesAsync(connection, org, Events));
        });

    /// <summary>One payment: every statement of the host's checkout, in one (immediate) write transaction after its reads, the invoice number taken first as the host does on SQLite.</summary>
    public async Task PayAsync(Target t, string requestId)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await DrainAsync(connection, HostSql.SessionWithLogin, ("@digest", t.TokenDigest));
        await DrainAsync(connection, HostSql.OrganizationWithMembership, ("@id", t.OrganizationId), ("@accountId", t.AccountId));
        var key = RequestKey(t.OrganizationId, "checkout", requestId);
        await DrainAsync(connection, HostSql.FindIdempotency, ("@key", key));
        var product = await RowAsync(connection, HostSql.ProductsByIds, ("@organizationId", t.OrganizationId), ("@ids1", t.ProductId), ("@p", 2));
        await DrainAsync(connection, HostSql.Catalogue);
        await DrainAsync(connection, HostSql.Vouchers, ("@organizationId", t.OrganizationId));
        await DrainAsync(connection, HostSql.FindChargeAttempt, ("@key", key));
        var wallet = await RowAsync(connection, HostSql.Wallet, ("@organizationId", t.OrganizationId), ("@currency", "CHF"));

        // Reads outside the transaction and writes in one begun IMMEDIATE, as the host's unit of work does.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        var number = await ScalarAsync(connection, HostSql.TakeNumber, ("@p0", 1));
        var now = DateTimeOffset.UtcNow.UtcTicks;
        var invoiceId = NewId();
        var transactionId = NewId();
        var total = -t.Entries.Where(e => e.Amount < 0).Sum(e => e.Amount);
        foreach (var type in Events)
        {
            await InsertEventAsync(connection, t.EventTemplates[type], t.OrganizationId, now);
        }

        await ExecuteAsync(connection, HostSql.InsertIdempotency, ("@p0", key), ("@p1", now), ("@p2", 0), ("@p3", DBNull.Value), ("@p4", DBNull.Value), ("@p5", new string('0', 64)), ("@p6", invoiceId));
        await InsertInvoiceAsync(connection, t.InvoiceTemplate, invoiceId, (long)number!, now, "ledger:" + transactionId.ToLowerInvariant());
        var x = t.TransactionTemplate;
        await ExecuteAsync(connection, HostSql.InsertTransaction, ("@p0", transactionId), ("@p1", now), ("@p2", x["Currency"]), ("@p3", x["Kind"]), ("@p4", x["Reference"]), ("@p5", wallet["Id"]));
        await ExpectOneAsync(connection, HostSql.RenewProduct, ("@p0", (long)product["RenewalDate"]! + TimeSpan.FromDays(365).Ticks), ("@p1", (long)product["Version"]! + 1), ("@p2", t.ProductId), ("@p3", product["Version"]));
        await ExpectOneAsync(connection, HostSql.UpdateWallet, ("@p0", (long)wallet["Balance"]! - total), ("@p1", (long)wallet["Version"]! + 1), ("@p2", wallet["Id"]), ("@p3", wallet["Version"]));
        await InsertEntriesAsync(connection, transactionId, t.Entries);

        await transaction.CommitAsync();
    }
}
