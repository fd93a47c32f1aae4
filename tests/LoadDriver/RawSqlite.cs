using System.Data.Common;
using Grpc.Core;
using Microsoft.Data.Sqlite;

namespace Hosting.LoadDriver;

/// <summary>What the raw SQLite references share: commands with parameters, rows as dictionaries, the host's ids and events.</summary>
internal static class RawSqlite
{
    public static string ConnectionString(string databasePath) =>
        new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true, DefaultTimeout = 30 }.ToString();

    /// <summary>A new id as the host stores it (upper-case text).</summary>
    public static string NewId() => Guid.CreateVersion7().ToString().ToUpperInvariant();

    /// <summary>The key the host keeps a request's answer under.</summary>
    public static string RequestKey(string organizationId, string operation, string requestId) =>
        $"{organizationId.ToLowerInvariant().Replace("-", string.Empty, StringComparison.Ordinal)}:{operation}:{requestId}";

    /// <summary>What a reference repeats for each customer, read from the database the host wrote: given the organization's id as stored and the caller.</summary>
    public static async Task<T[]> PerCustomerAsync<T>(string connectionString, IEnumerable<Customer> customers, Func<SqliteConnection, Customer, string, (string Digest, string AccountId), Task<T>> read)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        var targets = new List<T>();
        foreach (var c in customers)
        {
            var organizationId = c.OrganizationId.ToString().ToUpperInvariant();
            targets.Add(await read(connection, c, organizationId, await CallerAsync(connection, organizationId)));
        }

        return [.. targets];
    }

    /// <summary>The session digest and account of the customer's latest session, as the host stored them.</summary>
    public static async Task<(string Digest, string AccountId)> CallerAsync(SqliteConnection connection, string organizationId)
    {
        var row = await RowAsync(connection, @"SELECT ""TokenDigest"", ""AccountId"" FROM ""Sessions"" WHERE ""AccountId"" = (SELECT ""AccountId"" FROM ""Memberships"" WHERE ""OrganizationId"" = $o LIMIT 1) ORDER BY ""CreatedAt"" DESC LIMIT 1", ("$o", organizationId));
        return ((string)row["TokenDigest"]!, (string)row["AccountId"]!);
    }

    /// <summary>The organization's latest event of each type, whose data and resource the references write again.</summary>
    public static async Task<Dictionary<string, Dictionary<string, object?>>> EventTemplatesAsync(SqliteConnection connection, string organizationId, params string[] types)
    {
        var templates = new Dictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal);
        foreach (var type in types)
        {
            templates[type] = await RowAsync(connection, @"SELECT * FROM ""Events"" WHERE ""OrganizationId"" = $o AND ""Type"" = $t ORDER BY ""Position"" DESC LIMIT 1", ("$o", organizationId), ("$t", type));
        }

        return templates;
    }

    /// <summary>Writes an event like <paramref name="template"/>: its position.</summary>
    public static async Task<long> InsertEventAsync(SqliteConnection connection, Dictionary<string, object?> template, string organizationId, long now)
    {
        var row = await RowAsync(connection, HostSql.InsertEvent, ("@p0", template["Data"]), ("@p1", NewId()), ("@p2", now), ("@p3", organizationId), ("@p4", template["Resource"]), ("@p5", template["Type"]));
        return (long)row["Position"]!;
    }

    /// <summary>The ledger transaction and entries a paid invoice's reference (<c>ledger:{id}</c>) names.</summary>
    public static async Task<(Dictionary<string, object?> Transaction, List<(string Account, long Amount)> Entries)> PaymentAsync(SqliteConnection connection, string reference)
    {
        var transactionId = reference["ledger:".Length..].ToUpperInvariant();
        var transaction = await RowAsync(connection, @"SELECT * FROM ""LedgerTransactions"" WHERE ""Id"" = $t", ("$t", transactionId));
        var entries = (await RowsAsync(connection, @"SELECT ""Account"", ""Amount"" FROM ""LedgerEntries"" WHERE ""TransactionId"" = $t ORDER BY ""Line""", ("$t", transactionId)))
            .Select(e => ((string)e["Account"]!, (long)e["Amount"]!)).ToList();
        return (transaction, entries);
    }

    /// <summary>An invoice like the template row <paramref name="i"/> under a new id, its number and the given reference.</summary>
    public static Task InsertInvoiceAsync(SqliteConnection connection, Dictionary<string, object?> i, string invoiceId, long number, long now, object? paymentReference) =>
        ExecuteAsync(connection, HostSql.InsertInvoice, ("@p0", i["Lines"]), ("@p1", invoiceId), ("@p2", i["BillingAddress"]), ("@p3", null), ("@p4", i["Currency"]), ("@p5", i["DueAt"]),
            ("@p6", now), ("@p7", i["OrganizationId"]), ("@p8", i["OrganizationName"]), ("@p9", i["PaidAt"] is null ? null : now), ("@p10", i["PaymentMethod"]), ("@p11", paymentReference),
            ("@p12", number), ("@p13", i["State"]), ("@p14", 1));

    /// <summary>The entries of a ledger transaction, numbered from 1.</summary>
    public static async Task InsertEntriesAsync(SqliteConnection connection, string transactionId, List<(string Account, long Amount)> entries)
    {
        var line = 1;
        foreach (var (account, amount) in entries)
        {
            await ExecuteAsync(connection, HostSql.InsertEntry, ("@p0", line++), ("@p1", transactionId), ("@p2", account), ("@p3", amount));
        }
    }

    /// <summary>A failed statement counted as the load counts a failed call.</summary>
    public static async Task<T> CountedAsync<T>(Task<T> call)
    {
        try
        {
            return await call;
        }
        catch (SqliteException e)
        {
            throw new RpcException(new Status(StatusCode.Internal, e.Message));
        }
    }

    /// <inheritdoc cref="CountedAsync{T}(Task{T})"/>
    public static Task CountedAsync(Task call) => CountedAsync(Wrap(call));

    public static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteScalarAsync();
    }

    public static async Task ExecuteAsync(SqliteConnection connection, string sql, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>An update guarded by a version, as the host's: one row or a conflict.</summary>
    public static async Task ExpectOneAsync(SqliteConnection connection, string sql, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        if (await command.ExecuteScalarAsync() is null)
        {
            throw new InvalidOperationException("Concurrency conflict in the raw reference: " + sql[..40]);
        }
    }

    public static async Task DrainAsync(SqliteConnection connection, string sql, params (string, object?)[] parameters) =>
        await RowsAsync(connection, sql, parameters);

    public static async Task<Dictionary<string, object?>> RowAsync(SqliteConnection connection, string sql, params (string, object?)[] parameters) =>
        (await RowsAsync(connection, sql, parameters)).First();

    public static async Task<List<Dictionary<string, object?>>> RowsAsync(SqliteConnection connection, string sql, params (string, object?)[] parameters)
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

    private static async Task<bool> Wrap(Task call)
    {
        await call;
        return true;
    }
}
