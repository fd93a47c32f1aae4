using System.Globalization;
using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Events;
using Hosting.Core.Mailboxes;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Hosting.Persistence.Events;

/// <summary>
/// Writes the events of EVT-1 into the unit of work that makes the changes, just before it is
/// saved: the event and its change commit together or not at all. Events are read off the tracked
/// changes, so no use case can forget one; a unit of work saved again after a failed save records
/// its events afresh rather than twice.
/// </summary>
public sealed class EventRecorder(TimeProvider clock, ISecretGenerator random, EventSignal? signal = null) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    /// <inheritdoc />
    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Resume(eventData.Context);
        signal?.Pulse();
        return result;
    }

    /// <inheritdoc />
    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Resume(eventData.Context);
        signal?.Pulse();
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Resume(eventData.Context);

    /// <inheritdoc />
    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Resume(eventData.Context);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override void SaveChangesCanceled(DbContextEventData eventData) => Resume(eventData.Context);

    /// <inheritdoc />
    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Resume(eventData.Context);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => signal?.Pulse();

    /// <inheritdoc />
    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        signal?.Pulse();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Record(eventData.Context);
        return result;
    }

    /// <inheritdoc />
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Record(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Record(DbContext? db)
    {
        if (db is null)
        {
            return;
        }

        var tracker = db.ChangeTracker;
        Resume(db);
        tracker.DetectChanges();

        // The changes were just detected: the save that follows need not walk every entry again.
        (db as HostingDbContext)?.PauseChangeDetectionForSave();

        try
        {
            RecordEvents(db, tracker);
        }
        catch
        {
            // EF reports no failed save for an interceptor that throws: detection is resumed here.
            Resume(db);
            throw;
        }
    }

    private void RecordEvents(DbContext db, ChangeTracker tracker)
    {
        foreach (var stale in tracker.Entries<HostingEvent>().Where(e => e.State == EntityState.Added).ToList())
        {
            stale.State = EntityState.Detached;
        }

        var now = clock.GetUtcNow();
        var events = new List<HostingEvent>();
        void Add(string type, Guid? organizationId, string resource, Dictionary<string, string> data) =>
            events.Add(HostingEvent.Of(random.NewId(), type, now, organizationId, resource, data));

        foreach (var entry in tracker.Entries().ToList())
        {
            switch (entry.Entity)
            {
                case Organization organization:
                    OrganizationEvents(entry, organization, Add);
                    break;
                case Membership membership:
                    MembershipEvents(entry, membership, Add);
                    break;
                case Product product:
                    ProductEvents(entry, product, Add);
                    break;
                case Invoice invoice:
                    InvoiceEvents(entry, invoice, Add);
                    break;
                case LedgerTransaction transaction when entry.State == EntityState.Added:
                    LedgerEvents(tracker, transaction, Add);
                    break;
                case Mailbox mailbox:
                    MailboxEvents(entry, mailbox, Add);
                    break;
                case UserAccount account when entry.State == EntityState.Deleted:
                    Add(EventTypes.AccountDeleted, null, $"accounts/{account.Id}", new() { ["account"] = $"accounts/{account.Id}" });
                    break;
            }
        }

        db.AddRange(events);
    }

    /// <summary>
    /// Puts the final number into the saved events of invoices numbered after their save (the number is the
    /// commit's last statement), as they now stand in the store once the caller writes them: their positions
    /// and new data. The tracked events take the new data as saved.
    /// </summary>
    internal static IReadOnlyList<(long Position, string Data)> Renumber(DbContext db)
    {
        // Only the events' data changes here, set as saved: no walk of every entry is needed.
        var detecting = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            return RenumberTracked(db);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detecting;
        }
    }

    private static List<(long Position, string Data)> RenumberTracked(DbContext db)
    {
        var invoices = db.ChangeTracker.Entries<Invoice>().Select(e => e.Entity)
            .ToDictionary(i => $"{OrganizationName(i.OrganizationId)}/invoices/{i.Id}", i => i.Number, StringComparer.Ordinal);
        var renumbered = new List<(long Position, string Data)>();
        foreach (var entry in db.ChangeTracker.Entries<HostingEvent>())
        {
            if (invoices.TryGetValue(entry.Entity.Resource, out var number)
                && entry.Entity.Fields() is var fields && fields.TryGetValue("number", out var recorded) && recorded != number)
            {
                fields["number"] = number;
                var data = System.Text.Json.JsonSerializer.Serialize(fields);
                var property = entry.Property(nameof(HostingEvent.Data));
                property.CurrentValue = data;
                property.OriginalValue = data;
                renumbered.Add((entry.Entity.Position, data));
            }
        }

        return renumbered;
    }

    // The mark is kept on the context, not in a table of contexts: a ConditionalWeakTable written and
    // cleared on every save kept the finalizer thread busy with its discarded containers (a tenth of
    // the host's CPU under the order load).
    private static void Resume(DbContext? db) => (db as HostingDbContext)?.ResumeChangeDetection();

    private delegate void Emit(string type, Guid? organizationId, string resource, Dictionary<string, string> data);

    private static string OrganizationName(Guid id) => $"organizations/{id}";

    private static void OrganizationEvents(EntityEntry entry, Organization organization, Emit emit)
    {
        var name = OrganizationName(organization.Id);
        var data = new Dictionary<string, string> { ["organization"] = name, ["display_name"] = organization.Contact.DisplayName };
        if (entry.State == EntityState.Added)
        {
            emit(EventTypes.OrganizationCreated, organization.Id, name, data);
        }
        else if (entry.State == EntityState.Deleted
            || (entry.State == EntityState.Modified && organization.DeletedAt is not null && entry.Property(nameof(Organization.DeletedAt)).OriginalValue is null))
        {
            emit(EventTypes.OrganizationDeleted, organization.Id, name, data);
        }
    }

    private static void MembershipEvents(EntityEntry entry, Membership membership, Emit emit)
    {
        var organizationId = (Guid)entry.Property("OrganizationId").CurrentValue!;
        var name = $"organizations/{organizationId}/members/{membership.AccountId}";
        var data = new Dictionary<string, string>
        {
            ["organization"] = OrganizationName(organizationId),
            ["account"] = $"accounts/{membership.AccountId}",
            ["administrator"] = Flag(membership.IsAdministrator),
            ["billing"] = Flag(membership.HasBillingRights),
            ["legal_representative"] = Flag(membership.IsLegalRepresentative),
            ["product_ids"] = string.Join(',', membership.ProductIds),
        };
        switch (entry.State)
        {
            case EntityState.Added:
                emit(EventTypes.MemberJoined, organizationId, name, data);
                break;
            case EntityState.Deleted:
                emit(EventTypes.MemberLeft, organizationId, name, data);
                break;
            case EntityState.Modified when entry.Properties.Any(p => p.IsModified && p.Metadata.Name != nameof(Membership.JoinedAt)):
                emit(EventTypes.MemberRightsChanged, organizationId, name, data);
                break;
        }
    }

    private static void ProductEvents(EntityEntry entry, Product product, Emit emit)
    {
        var name = $"{OrganizationName(product.OrganizationId)}/products/{product.Id}";
        var data = new Dictionary<string, string>
        {
            ["organization"] = OrganizationName(product.OrganizationId),
            ["product_type"] = product.Type.ToString(),
            ["name"] = product.Name,
            ["status"] = product.Status.ToString(),
            ["period_months"] = product.PeriodMonths.ToString(CultureInfo.InvariantCulture),
            ["renewal_date"] = product.RenewalDate?.ToString("O", CultureInfo.InvariantCulture) ?? string.Empty,
        };
        if (entry.State == EntityState.Added)
        {
            emit(EventTypes.ProductOrdered, product.OrganizationId, name, data);
            if (product.Status == ProductStatus.Active)
            {
                emit(EventTypes.ProductActivated, product.OrganizationId, name, data);
            }

            return;
        }

        if (entry.State == EntityState.Deleted)
        {
            emit(EventTypes.ProductRemoved, product.OrganizationId, name, data);
            return;
        }

        if (entry.State != EntityState.Modified)
        {
            return;
        }

        var status = entry.Property(nameof(Product.Status));
        var wasStatus = (ProductStatus)status.OriginalValue!;
        if (product.Status == ProductStatus.Active && wasStatus != ProductStatus.Active)
        {
            emit(EventTypes.ProductActivated, product.OrganizationId, name, data);
        }
        else if (product.Status == ProductStatus.Terminated && wasStatus != ProductStatus.Terminated)
        {
            emit(EventTypes.ProductTerminated, product.OrganizationId, name, data);
        }
        else if (product.Status == ProductStatus.Active && entry.Property(nameof(Product.RenewalDate)).IsModified
            && !Equals(entry.Property(nameof(Product.RenewalDate)).OriginalValue, product.RenewalDate))
        {
            emit(EventTypes.ProductRenewed, product.OrganizationId, name, data);
        }
    }

    private static void InvoiceEvents(EntityEntry entry, Invoice invoice, Emit emit)
    {
        var name = $"{OrganizationName(invoice.OrganizationId)}/invoices/{invoice.Id}";
        var data = new Dictionary<string, string>
        {
            ["organization"] = OrganizationName(invoice.OrganizationId),
            ["number"] = invoice.Number,
            ["total_minor"] = invoice.TotalMinor.ToString(CultureInfo.InvariantCulture),
            ["currency"] = invoice.Currency,
            ["state"] = invoice.State.ToString(),
            ["payment_method"] = invoice.PaymentMethod,
        };
        if (entry.State == EntityState.Added)
        {
            emit(EventTypes.InvoiceIssued, invoice.OrganizationId, name, data);
            if (invoice.State == InvoiceState.Paid)
            {
                emit(EventTypes.InvoicePaid, invoice.OrganizationId, name, data);
            }
        }
        else if (entry.State == EntityState.Modified && entry.Property(nameof(Invoice.State)).OriginalValue is InvoiceState was && was != invoice.State)
        {
            if (invoice.State == InvoiceState.Paid)
            {
                emit(EventTypes.InvoicePaid, invoice.OrganizationId, name, data);
            }
            else if (invoice.State == InvoiceState.Cancelled)
            {
                emit(EventTypes.InvoiceCancelled, invoice.OrganizationId, name, data);
            }
        }
    }

    private static void LedgerEvents(ChangeTracker tracker, LedgerTransaction transaction, Emit emit)
    {
        var wallet = tracker.Entries<Wallet>().Select(w => w.Entity).FirstOrDefault(w => w.Id == transaction.WalletId);
        if (wallet is null)
        {
            throw new InvalidOperationException("A ledger transaction is saved with its wallet tracked; its event needs the wallet's organization.");
        }

        var amount = transaction.WalletAmount;
        var credited = amount > 0;
        var name = $"{OrganizationName(wallet.OrganizationId)}/wallets/{wallet.Currency}";
        emit(credited ? EventTypes.WalletCredited : EventTypes.WalletDebited, wallet.OrganizationId, name, new()
        {
            ["organization"] = OrganizationName(wallet.OrganizationId),
            ["amount_minor"] = Math.Abs(amount).ToString(CultureInfo.InvariantCulture),
            ["currency"] = wallet.Currency,
            ["kind"] = transaction.Kind.ToString(),
            ["reference"] = transaction.Reference,
            ["transaction"] = $"{name}/transactions/{transaction.Id}",
        });
    }

    private static void MailboxEvents(EntityEntry entry, Mailbox mailbox, Emit emit)
    {
        var name = $"{OrganizationName(mailbox.OrganizationId)}/mailboxes/{mailbox.Id}";
        var data = new Dictionary<string, string>
        {
            ["organization"] = OrganizationName(mailbox.OrganizationId),
            ["address"] = mailbox.Address.Value,
            ["mail_service"] = $"{OrganizationName(mailbox.OrganizationId)}/products/{mailbox.MailServiceId}",
        };
        if (entry.State == EntityState.Added)
        {
            emit(EventTypes.MailboxCreated, mailbox.OrganizationId, name, data);
        }
        else if (entry.State == EntityState.Deleted)
        {
            emit(EventTypes.MailboxDeleted, mailbox.OrganizationId, name, data);
        }
        else if (entry.State == EntityState.Modified && entry.Property(nameof(Mailbox.PasswordHash)).IsModified
            && !Equals(entry.Property(nameof(Mailbox.PasswordHash)).OriginalValue, mailbox.PasswordHash))
        {
            emit(EventTypes.MailboxPasswordChanged, mailbox.OrganizationId, name, data);
        }
    }

    private static string Flag(bool value) => value ? "true" : "false";
}
