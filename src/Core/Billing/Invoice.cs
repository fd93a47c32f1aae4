using System.Globalization;
using Hosting.Core.Shared;

namespace Hosting.Core.Billing;

/// <summary>One line of an invoice or quote: net, discount, VAT and total in minor units.</summary>
public sealed record InvoiceLine(Guid ProductId, string Description, long NetMinor, long DiscountMinor, int VatRateBasisPoints, long VatMinor, long TotalMinor, string? DiscountSource);

/// <summary>Where a final invoice is in its life (BIL-5, ORD-4).</summary>
public enum InvoiceState
{
    /// <summary>Issued for a deferred payment (bank transfer); in "to pay" until paid or cancelled.</summary>
    Unpaid = 1,
    /// <summary>Paid; only now can it be downloaded.</summary>
    Paid = 2,
    /// <summary>Cancelled before payment by a credit note for its full amount.</summary>
    Cancelled = 3,
}

/// <summary>
/// A final invoice (BIL-5), issued with the next number of a gapless sequence when an order or a
/// payment is confirmed: paid at once, or unpaid until a deferred payment arrives. Its document
/// (number, lines, amounts, address) never changes once issued; only its state moves, from
/// unpaid to paid or to cancelled, once.
/// </summary>
public sealed class Invoice
{
    private readonly List<InvoiceLine> _lines = [];

    private Invoice(Guid id, Guid organizationId, long sequenceNumber, DateTimeOffset issuedAt, string currency)
    {
        Id = id;
        OrganizationId = organizationId;
        SequenceNumber = sequenceNumber;
        IssuedAt = issuedAt;
        Currency = currency;
    }

    /// <summary>The invoice's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The organization billed.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>The position in the legal sequence (1, 2, 3... without gaps); 0 until the issuing unit of work commits.</summary>
    public long SequenceNumber { get; private set; }

    /// <summary>The printed number.</summary>
    public string Number => SequenceNumber.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>When it was issued and paid.</summary>
    public DateTimeOffset IssuedAt { get; private set; }

    /// <summary>ISO 4217.</summary>
    public string Currency { get; private set; }

    /// <summary>The organization's name at issue.</summary>
    public string OrganizationName { get; private set; } = string.Empty;

    /// <summary>The billing address lines at issue.</summary>
    public string BillingAddress { get; private set; } = string.Empty;

    /// <summary>How it was paid: <c>wallet</c> or the gateway method.</summary>
    public string PaymentMethod { get; private set; } = string.Empty;

    /// <summary>The payment's reference (ledger transaction or gateway charge).</summary>
    public string PaymentReference { get; private set; } = string.Empty;

    /// <summary>Unpaid, paid or cancelled.</summary>
    public InvoiceState State { get; private set; } = InvoiceState.Paid;

    /// <summary>When an unpaid invoice is due; null for one issued paid.</summary>
    public DateTimeOffset? DueAt { get; private set; }

    /// <summary>When it was paid.</summary>
    public DateTimeOffset? PaidAt { get; private set; }

    /// <summary>When it was cancelled.</summary>
    public DateTimeOffset? CancelledAt { get; private set; }

    /// <summary>Optimistic concurrency token: a payment and a cancellation never both win.</summary>
    public int Version { get; private set; }

    /// <summary>The lines.</summary>
    public IReadOnlyList<InvoiceLine> Lines => _lines;

    /// <summary>Whether an unpaid invoice is past its due date (ORD-4).</summary>
    public bool IsOverdue(DateTimeOffset now) => State == InvoiceState.Unpaid && DueAt is { } due && now > due;

    /// <summary>Sum of nets less discounts.</summary>
    public long SubtotalMinor => _lines.Sum(l => l.NetMinor - l.DiscountMinor);

    /// <summary>Sum of line VAT.</summary>
    public long VatMinor => _lines.Sum(l => l.VatMinor);

    /// <summary>What was paid.</summary>
    public long TotalMinor => _lines.Sum(l => l.TotalMinor);

    /// <summary>Issues a paid invoice.</summary>
    public static Invoice Issue(Guid id, Guid organizationId, long sequenceNumber, DateTimeOffset now, Quote quote, string organizationName, IReadOnlyList<string> address, string paymentMethod, string paymentReference)
    {
        var invoice = new Invoice(id, organizationId, sequenceNumber, now, quote.Currency)
        {
            OrganizationName = organizationName,
            BillingAddress = string.Join('\n', address),
            PaymentMethod = paymentMethod,
            PaymentReference = paymentReference,
            PaidAt = now,
        };
        invoice._lines.AddRange(quote.Lines);
        return invoice;
    }

    /// <summary>Issues an unpaid invoice for a deferred payment, due at <paramref name="dueAt"/> (BIL-5, ORD-3).</summary>
    public static Invoice IssueUnpaid(Guid id, Guid organizationId, long sequenceNumber, DateTimeOffset now, DateTimeOffset dueAt, Quote quote, string organizationName, IReadOnlyList<string> address, string paymentMethod)
    {
        var invoice = Issue(id, organizationId, sequenceNumber, now, quote, organizationName, address, paymentMethod, string.Empty);
        invoice.State = InvoiceState.Unpaid;
        invoice.PaidAt = null;
        invoice.DueAt = dueAt;
        return invoice;
    }

    /// <summary>Records the payment of an unpaid invoice: the method and reference that settled it.</summary>
    public Result<Done> MarkPaid(DateTimeOffset now, string paymentMethod, string paymentReference)
    {
        var open = RequireUnpaid();
        if (!open.IsSuccess)
        {
            return open;
        }

        State = InvoiceState.Paid;
        PaidAt = now;
        PaymentMethod = paymentMethod;
        PaymentReference = paymentReference;
        Version++;
        return Done.Value;
    }

    /// <summary>Cancels an unpaid invoice (ORD-4); the credit note is issued beside it.</summary>
    public Result<Done> Cancel(DateTimeOffset now)
    {
        var open = RequireUnpaid();
        if (!open.IsSuccess)
        {
            return open;
        }

        State = InvoiceState.Cancelled;
        CancelledAt = now;
        Version++;
        return Done.Value;
    }

    /// <summary>
    /// Records that a credit note was issued against this invoice: only its concurrency token moves, so
    /// two credit notes checked against the same credited sum cannot both commit (BIL-5).
    /// </summary>
    public void RecordCreditNote() => Version++;

    /// <summary>Refuses anything but an unpaid invoice, saying which state it is in.</summary>
    public Result<Done> RequireUnpaid() => State switch
    {
        InvoiceState.Unpaid => Done.Value,
        InvoiceState.Paid => BillingErrors.InvoiceAlreadyPaid,
        _ => BillingErrors.InvoiceCancelled,
    };

    /// <summary>The document to render.</summary>
    public InvoiceDocument Document(string seller) => new(
        "Invoice", Number, IssuedAt, seller, OrganizationName, BillingAddress.Split('\n'),
        _lines.Select(l => new InvoiceDocumentLine(l.Description, l.NetMinor - l.DiscountMinor, l.VatRateBasisPoints, l.VatMinor, l.TotalMinor)).ToList(),
        SubtotalMinor, VatMinor, TotalMinor, Currency, null);
}

/// <summary>The next number of a legal sequence (invoices, credit notes); one row each, bumped inside the issuing transaction.</summary>
public sealed class InvoiceSequence
{
    /// <summary>The final invoices' row.</summary>
    public const int SingletonId = 1;

    /// <summary>The credit notes' row.</summary>
    public const int CreditNotesId = 2;

    private InvoiceSequence(int id) => Id = id;

    /// <summary>Always <see cref="SingletonId"/>.</summary>
    public int Id { get; private set; }

    /// <summary>The last number issued.</summary>
    public long Last { get; private set; }

    /// <summary>Concurrency token: two checkouts never take the same number.</summary>
    public int Version { get; private set; }

    /// <summary>A fresh sequence.</summary>
    public static InvoiceSequence Start(int id = SingletonId) => new(id);

    /// <summary>Takes the next number.</summary>
    public long Next()
    {
        Last++;
        Version++;
        return Last;
    }
}

/// <summary>What selected items cost: lines with discounts and VAT, before payment.</summary>
public sealed record Quote(string Currency, IReadOnlyList<InvoiceLine> Lines, IReadOnlyList<Guid> VouchersUsed, IReadOnlyList<Guid> VouchersOffered, PromotionCode? Promotion)
{
    /// <summary>Sum of nets less discounts.</summary>
    public long SubtotalMinor => Lines.Sum(l => l.NetMinor - l.DiscountMinor);

    /// <summary>Sum of VAT.</summary>
    public long VatMinor => Lines.Sum(l => l.VatMinor);

    /// <summary>What is to pay.</summary>
    public long TotalMinor => Lines.Sum(l => l.TotalMinor);
}

/// <summary>BIL-10 rounding, stated once: amounts are non-negative minor units; halves round up.</summary>
public static class Rounding
{
    /// <summary><paramref name="amountMinor"/> × <paramref name="basisPoints"/> / 10000, rounded half up.</summary>
    public static long OfBasisPoints(long amountMinor, int basisPoints)
    {
        if (amountMinor < 0 || basisPoints < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amountMinor), "Rounding takes non-negative amounts and rates.");
        }

        return checked((amountMinor * basisPoints) + 5_000) / 10_000;
    }
}

/// <summary>
/// A credit note (BIL-5): the only way to correct a final invoice, which never changes. It has its
/// own gapless numbering and may give the amount back to the organization's wallet.
/// </summary>
public sealed class CreditNote
{
    private CreditNote(Guid id, Guid organizationId, Guid invoiceId, long sequenceNumber, long amountMinor, string currency, string reason, DateTimeOffset issuedAt)
    {
        Id = id;
        OrganizationId = organizationId;
        InvoiceId = invoiceId;
        SequenceNumber = sequenceNumber;
        AmountMinor = amountMinor;
        Currency = currency;
        Reason = reason;
        IssuedAt = issuedAt;
    }

    /// <summary>The credit note's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>The organization credited.</summary>
    public Guid OrganizationId { get; private set; }

    /// <summary>The invoice it corrects.</summary>
    public Guid InvoiceId { get; private set; }

    /// <summary>Its position in the credit notes' sequence; 0 until the issuing unit of work commits when numbered on commit.</summary>
    public long SequenceNumber { get; private set; }

    /// <summary>The printed number.</summary>
    public string Number => "CN" + SequenceNumber.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>The amount credited, VAT included, in minor units.</summary>
    public long AmountMinor { get; private set; }

    /// <summary>ISO 4217, the invoice's.</summary>
    public string Currency { get; private set; }

    /// <summary>Why.</summary>
    public string Reason { get; private set; }

    /// <summary>When it was issued.</summary>
    public DateTimeOffset IssuedAt { get; private set; }

    /// <summary>The wallet refund's ledger transaction, when the amount went back to the wallet.</summary>
    public Guid? RefundTransactionId { get; private set; }

    /// <summary>Issues a credit note.</summary>
    public static CreditNote Issue(Guid id, Invoice invoice, long sequenceNumber, long amountMinor, string reason, DateTimeOffset now, Guid? refundTransactionId) =>
        new(id, invoice.OrganizationId, invoice.Id, sequenceNumber, amountMinor, invoice.Currency, reason, now) { RefundTransactionId = refundTransactionId };
}
