namespace Hosting.Core.Events;

/// <summary>
/// A change another system acts on (EVT-1), recorded in the transaction of the change. Readers
/// order events by (<see cref="Transaction"/>, <see cref="Position"/>): on PostgreSQL the
/// transaction is the writer's transaction id and readers stop below the oldest transaction still
/// open, so an event committed late never lands behind a cursor already handed out (EVT-2); on
/// SQLite writers are serialized and the transaction is always 0.
/// </summary>
public sealed class HostingEvent
{
    private HostingEvent(Guid id, string type, DateTimeOffset occurredAt, Guid? organizationId, string resource, string data)
    {
        Id = id;
        Type = type;
        OccurredAt = occurredAt;
        OrganizationId = organizationId;
        Resource = resource;
        Data = data;
    }

    /// <summary>Order within the store, assigned on insert.</summary>
    public long Position { get; private set; }

    /// <summary>The writing transaction's id on PostgreSQL (assigned by the store); 0 on SQLite.</summary>
    public long Transaction { get; private set; }

    /// <summary>A stable id, for consumers that deduplicate (delivery is at least once).</summary>
    public Guid Id { get; private set; }

    /// <summary>One of <see cref="EventTypes"/>.</summary>
    public string Type { get; private set; }

    /// <summary>When the change was made.</summary>
    public DateTimeOffset OccurredAt { get; private set; }

    /// <summary>The organization concerned, if any (an account's deletion has none).</summary>
    public Guid? OrganizationId { get; private set; }

    /// <summary>The resource name of what changed, as the API names it.</summary>
    public string Resource { get; private set; }

    /// <summary>The fields a consumer acts on, as a JSON object of strings; never a secret (EVT-3).</summary>
    public string Data { get; private set; }

    /// <summary>Where a reader resumes after this event.</summary>
    public EventCursor Cursor => new(Transaction, Position, OccurredAt);

    /// <summary>A new event, to be added to the change's unit of work.</summary>
    public static HostingEvent Of(Guid id, string type, DateTimeOffset occurredAt, Guid? organizationId, string resource, IReadOnlyDictionary<string, string> data) =>
        new(id, type, occurredAt, organizationId, resource, System.Text.Json.JsonSerializer.Serialize(data));

    /// <summary>The fields of <see cref="Data"/>.</summary>
    public Dictionary<string, string> Fields() =>
        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(Data) ?? [];
}

/// <summary>The event types (EVT-1); a consumer filters by them.</summary>
public static class EventTypes
{
    /// <summary>An organization was created.</summary>
    public const string OrganizationCreated = "organization.created";

    /// <summary>An organization was deleted.</summary>
    public const string OrganizationDeleted = "organization.deleted";

    /// <summary>An account joined an organization.</summary>
    public const string MemberJoined = "member.joined";

    /// <summary>A member left or was removed.</summary>
    public const string MemberLeft = "member.left";

    /// <summary>A member's rights or legal representation changed.</summary>
    public const string MemberRightsChanged = "member.rights_changed";

    /// <summary>A product was ordered (not in service before it is activated).</summary>
    public const string ProductOrdered = "product.ordered";

    /// <summary>A product went into service: provision it.</summary>
    public const string ProductActivated = "product.activated";

    /// <summary>A product was renewed for another period.</summary>
    public const string ProductRenewed = "product.renewed";

    /// <summary>A product ended: deprovision it.</summary>
    public const string ProductTerminated = "product.terminated";

    /// <summary>An ordered product was withdrawn before it ever served (its unpaid invoice was cancelled).</summary>
    public const string ProductRemoved = "product.removed";

    /// <summary>An invoice was issued (paid or unpaid: see its state).</summary>
    public const string InvoiceIssued = "invoice.issued";

    /// <summary>An invoice was paid.</summary>
    public const string InvoicePaid = "invoice.paid";

    /// <summary>An unpaid invoice was cancelled.</summary>
    public const string InvoiceCancelled = "invoice.cancelled";

    /// <summary>Money came into a wallet.</summary>
    public const string WalletCredited = "wallet.credited";

    /// <summary>Money left a wallet.</summary>
    public const string WalletDebited = "wallet.debited";

    /// <summary>A mailbox was created.</summary>
    public const string MailboxCreated = "mailbox.created";

    /// <summary>A mailbox was deleted.</summary>
    public const string MailboxDeleted = "mailbox.deleted";

    /// <summary>A mailbox's password changed (the event never carries it).</summary>
    public const string MailboxPasswordChanged = "mailbox.password_changed";

    /// <summary>A user account was deleted.</summary>
    public const string AccountDeleted = "account.deleted";

    /// <summary>Every type.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        OrganizationCreated, OrganizationDeleted, MemberJoined, MemberLeft, MemberRightsChanged,
        ProductOrdered, ProductActivated, ProductRenewed, ProductTerminated, ProductRemoved,
        InvoiceIssued, InvoicePaid, InvoiceCancelled, WalletCredited, WalletDebited,
        MailboxCreated, MailboxDeleted, MailboxPasswordChanged, AccountDeleted,
    };
}
