using System.Collections.Concurrent;
using System.Data;
using Hosting.Core.Billing;
using Hosting.Persistence.Events;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Hosting.Persistence;

/// <summary>
/// The write side of a request's unit of work: the transaction a commit runs in, legal numbers taken
/// as its last statements, and, on SQLite, the process's turn at the database's single write lock.
/// </summary>
internal sealed class UnitOfWork(HostingDbContext db)
{
    private const string Invoices = "Invoices";
    private const string CreditNotes = "CreditNotes";

    private readonly List<(int Sequence, object Document)> _numberOnCommit = [];
    private IDbContextTransaction? _transaction;
    private SqliteWriteGate.Lease? _lease;
    private bool _opened;
    private SqliteTransaction? _owned;

    /// <summary>Numbers <paramref name="document"/> when the unit of work commits.</summary>
    public void NumberOnCommit(int sequenceId, object document)
    {
        if (document is not (Invoice or CreditNote))
        {
            throw new ArgumentException("Only invoices and credit notes carry legal numbers.", nameof(document));
        }

        _numberOnCommit.Add((sequenceId, document));
    }

    /// <summary>The next number now, in the unit of work's write transaction (begun here, committed by <see cref="SaveAsync"/>).</summary>
    public async Task<long> TakeNumberAsync(int sequenceId, CancellationToken cancellationToken)
    {
        await BeginAsync(cancellationToken);
        return await NextAsync(sequenceId, cancellationToken);
    }

    /// <summary>
    /// Begins the write transaction (committed by <see cref="SaveAsync"/>) holding the organization's row: on
    /// PostgreSQL its row lock, on SQLite the database's one write lock, taken at BEGIN IMMEDIATE.
    /// </summary>
    public async Task LockOrganizationAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        await BeginAsync(cancellationToken);
        if (!db.OnSqlite)
        {
            await db.Database.ExecuteSqlRawAsync("SELECT 1 FROM \"Organizations\" WHERE \"Id\" = {0} FOR UPDATE", [organizationId], cancellationToken);
        }
    }

    /// <summary>Commits every pending change and the pending numbers, atomically.</summary>
    public async Task SaveAsync(CancellationToken cancellationToken)
    {
        var sqlite = db.OnSqlite;
        if (_transaction is null && _numberOnCommit.Count == 0 && !sqlite)
        {
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        try
        {
            await BeginAsync(cancellationToken);
            var pending = _numberOnCommit.ToList();
            if (sqlite)
            {
                await NumberFirstAsync(pending, cancellationToken);
            }
            else
            {
                await NumberLastAsync(pending, cancellationToken);
            }

            if (_transaction is not null)
            {
                await _transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            await EndAsync();
        }
    }

    /// <summary>
    /// SQLite: the write transaction holds the database's one write lock from its BEGIN IMMEDIATE, so a number
    /// taken first holds nothing longer, and the documents and their events are written once, numbered.
    /// </summary>
    private async Task NumberFirstAsync(List<(int Sequence, object Document)> pending, CancellationToken cancellationToken)
    {
        foreach (var (sequence, document) in pending.OrderBy(p => p.Sequence))
        {
            db.Entry(document).Property(nameof(Invoice.SequenceNumber)).CurrentValue = await NextAsync(sequence, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// PostgreSQL: the sequence row is taken last, so that it stays locked only until the commit that follows:
    /// the documents are written under a placeholder, then numbered, then their events given the number too (EVT-3).
    /// </summary>
    private async Task NumberLastAsync(List<(int Sequence, object Document)> pending, CancellationToken cancellationToken)
    {
        foreach (var (_, document) in pending)
        {
            // A placeholder, unique without coordination, until the number is taken below.
            db.Entry(document).Property(nameof(Invoice.SequenceNumber)).CurrentValue = long.MinValue + Random.Shared.NextInt64(0, long.MaxValue);
        }

        await db.SaveChangesAsync(cancellationToken);

        foreach (var (sequence, document) in pending.OrderBy(p => p.Sequence))
        {
            var entry = db.Entry(document);
            var number = await NumberAsync(sequence, document is Invoice ? Invoices : CreditNotes, (Guid)entry.Property("Id").CurrentValue!, cancellationToken);
            var property = entry.Property(nameof(Invoice.SequenceNumber));
            property.CurrentValue = number;
            property.OriginalValue = number;
        }

        if (pending.Any(p => p.Document is Invoice))
        {
            await RenumberEventsAsync(EventRecorder.Renumber(db), cancellationToken);
        }
    }

    /// <summary>The renumbered events' data in one statement, instead of a second save through the change tracker.</summary>
    private async Task RenumberEventsAsync(IReadOnlyList<(long Position, string Data)> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        // Only parameter placeholders are joined into the statement; the values travel as parameters.
        var values = string.Join(", ", events.Select((_, i) => $"({{{2 * i}}}, {{{(2 * i) + 1}}})"));
        var sql = string.Concat("""UPDATE "Events" AS e SET "Data" = v."Data" FROM (VALUES """, values, """) AS v("Position", "Data") WHERE e."Position" = v."Position" """);
        var parameters = events.SelectMany(e => new object[] { e.Position, e.Data }).ToArray();
        var updated = await db.Database.ExecuteSqlRawAsync(sql, parameters, cancellationToken);
        if (updated != events.Count)
        {
            throw new InvalidOperationException("An invoice's event was not renumbered.");
        }
    }

    /// <summary>Forgets the pending numbers and rolls back an open transaction, for a retry.</summary>
    public void Reset()
    {
        _numberOnCommit.Clear();
        _transaction?.Dispose();
        _transaction = null;
        _owned?.Dispose();
        _owned = null;
        if (_opened)
        {
            _opened = false;
            db.Database.CloseConnection();
        }

        _lease?.Dispose();
        _lease = null;
    }

    private async Task BeginAsync(CancellationToken cancellationToken)
    {
        if (_transaction is not null)
        {
            return;
        }

        if (db.Database.CurrentTransaction is not null)
        {
            // A transaction opened around the unit of work: its owner commits.
            return;
        }

        if (db.OnSqlite)
        {
            // One writer at a time, in arrival order, instead of SQLite's busy retries sleeping while the lock is held.
            _lease = await SqliteWriteGate.EnterAsync(db.Database.GetConnectionString()!, cancellationToken);
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = (SqliteConnection)db.Database.GetDbConnection();

            // IMMEDIATE: the write lock is taken at BEGIN, so no statement of the transaction can meet a busy database mid-way.
            _owned = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            _opened = true;
            _transaction = await db.Database.UseTransactionAsync(_owned, cancellationToken);
        }
        else
        {
            _transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        }
    }

    private async Task EndAsync()
    {
        _numberOnCommit.Clear();
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
            _transaction = null;
        }

        // EF does not own a transaction it was handed: ours is rolled back here unless committed (a shared connection stays open).
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
            _owned = null;
        }

        if (_opened)
        {
            _opened = false;
            await db.Database.CloseConnectionAsync();
        }

        _lease?.Dispose();
        _lease = null;
    }

    private Task<long> NextAsync(int sequenceId, CancellationToken cancellationToken) => ScalarAsync(
        !db.OnSqlite
            ? """
              INSERT INTO "InvoiceSequence" AS s ("Id", "Last", "Version") VALUES ({0}, 1, 1)
              ON CONFLICT ("Id") DO UPDATE SET "Last" = s."Last" + 1, "Version" = s."Version" + 1
              RETURNING s."Last" AS "Value"
              """
            : """
              INSERT INTO "InvoiceSequence" ("Id", "Last", "Version") VALUES ({0}, 1, 1)
              ON CONFLICT ("Id") DO UPDATE SET "Last" = "Last" + 1, "Version" = "Version" + 1
              RETURNING "Last" AS "Value"
              """,
        [sequenceId],
        cancellationToken);

    private async Task<long> NumberAsync(int sequenceId, string table, Guid documentId, CancellationToken cancellationToken)
    {
        if (!db.OnSqlite)
        {
            // One statement: the sequence row is bumped and the document numbered in one round trip.
            return await ScalarAsync(
                """
                WITH n AS (
                    INSERT INTO "InvoiceSequence" AS s ("Id", "Last", "Version") VALUES ({0}, 1, 1)
                    ON CONFLICT ("Id") DO UPDATE SET "Last" = s."Last" + 1, "Version" = s."Version" + 1
                    RETURNING s."Last")
                UPDATE "@table" AS d SET "SequenceNumber" = n."Last" FROM n WHERE d."Id" = {1}
                RETURNING n."Last" AS "Value"
                """.Replace("@table", table == Invoices ? Invoices : CreditNotes, StringComparison.Ordinal),
                [sequenceId, documentId],
                cancellationToken);
        }

        var number = await NextAsync(sequenceId, cancellationToken);
        await db.Database.ExecuteSqlRawAsync(
            table == Invoices ? """UPDATE "Invoices" SET "SequenceNumber" = {0} WHERE "Id" = {1}""" : """UPDATE "CreditNotes" SET "SequenceNumber" = {0} WHERE "Id" = {1}""",
            [number, documentId],
            cancellationToken);
        return number;
    }

    private async Task<long> ScalarAsync(string sql, object[] parameters, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQueryRaw<long>(sql, parameters).ToListAsync(cancellationToken);
        return rows.Count == 1 ? rows[0] : throw new InvalidOperationException("The numbered document was not written.");
    }
}

/// <summary>
/// The process's queue for a SQLite database's write lock: writers of this process wait their turn
/// here, in order and without sleeping; other processes still meet the busy timeout.
/// </summary>
internal static class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>Waits for the turn of the database named by <paramref name="connectionString"/>.</summary>
    public static async Task<Lease> EnterAsync(string connectionString, CancellationToken cancellationToken)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString);
        var key = csb.Mode == SqliteOpenMode.Memory || csb.DataSource is "" or ":memory:" ? connectionString : Path.GetFullPath(csb.DataSource);
        var gate = Gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));

        // Bounded like the busy timeout: a writer that cannot get its turn falls back to SQLite's own waiting.
        var entered = await gate.WaitAsync(TimeSpan.FromSeconds(Math.Max(csb.DefaultTimeout, 1)), cancellationToken);
        return new Lease(entered ? gate : null);
    }

    /// <summary>A turn; disposing it lets the next writer in.</summary>
    internal sealed class Lease(SemaphoreSlim? gate) : IDisposable
    {
        private SemaphoreSlim? _gate = gate;

        /// <inheritdoc />
        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}
