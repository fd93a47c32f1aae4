using System.Globalization;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Hosting.Core.Billing;

/// <summary>One line of a rendered invoice.</summary>
public sealed record InvoiceDocumentLine(string Description, long NetMinor, int VatRateBasisPoints, long VatMinor, long TotalMinor);

/// <summary>What an invoice or pro forma PDF shows.</summary>
public sealed record InvoiceDocument(
    string Title,
    string Number,
    DateTimeOffset IssuedAt,
    string SellerName,
    string OrganizationName,
    IReadOnlyList<string> BillingAddressLines,
    IReadOnlyList<InvoiceDocumentLine> Lines,
    long SubtotalMinor,
    long VatMinor,
    long TotalMinor,
    string Currency,
    string? Notice);

/// <summary>Renders invoices as PDF with PdfPig's writer (standard Helvetica, A4, paginated).</summary>
public static class InvoicePdf
{
    private const double Left = 50;
    private const double Top = 800;
    private const double Bottom = 60;
    private const double LineHeight = 14;

    /// <summary>The PDF bytes of a document.</summary>
    public static byte[] Render(InvoiceDocument document)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        var y = Top;

        void Write(string text, double x, double size = 10, bool strong = false) =>
            page.AddText(Safe(text), size, new PdfPoint(x, y), strong ? bold : font);

        void NextLine(double step = LineHeight)
        {
            y -= step;
            if (y < Bottom)
            {
                page = builder.AddPage(PageSize.A4);
                y = Top;
            }
        }

        Write($"{document.Title} {document.Number}", Left, 16, strong: true);
        NextLine(22);
        if (document.Notice is { } notice)
        {
            Write(notice, Left, 11, strong: true);
            NextLine(20);
        }

        Write($"Issued {document.IssuedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} by {document.SellerName}", Left);
        NextLine(20);
        Write(document.OrganizationName, Left, 11, strong: true);
        NextLine();
        foreach (var line in document.BillingAddressLines)
        {
            Write(line, Left);
            NextLine();
        }

        NextLine(10);
        Write("Description", Left, 10, true);
        Write("Net", 300, 10, true);
        Write("VAT %", 370, 10, true);
        Write("VAT", 430, 10, true);
        Write("Total", 490, 10, true);
        NextLine();
        foreach (var line in document.Lines)
        {
            Write(line.Description.Length > 45 ? line.Description[..42] + "..." : line.Description, Left);
            Write(FormatAmount(line.NetMinor, null), 300);
            Write(FormatRate(line.VatRateBasisPoints), 370);
            Write(FormatAmount(line.VatMinor, null), 430);
            Write(FormatAmount(line.TotalMinor, null), 490);
            NextLine();
        }

        NextLine(10);
        Write($"Subtotal {FormatAmount(document.SubtotalMinor, document.Currency)}", 370);
        NextLine();
        Write($"VAT {FormatAmount(document.VatMinor, document.Currency)}", 370);
        NextLine();
        Write($"Total {FormatAmount(document.TotalMinor, document.Currency)}", 370, 11, strong: true);
        return builder.Build();
    }

    /// <summary>Minor units as a decimal amount with two digits (and the currency when given), from integers only.</summary>
    public static string FormatAmount(long minor, string? currency)
    {
        var sign = minor < 0 ? "-" : string.Empty;
        var magnitude = minor < 0 ? -(decimal)minor : minor;
        var whole = decimal.Truncate(magnitude / 100);
        var cents = magnitude - (whole * 100);
        var text = $"{sign}{whole.ToString("0", CultureInfo.InvariantCulture)}.{cents.ToString("00", CultureInfo.InvariantCulture)}";
        return currency is null ? text : $"{text} {currency}";
    }

    private static string FormatRate(int basisPoints) =>
        $"{(basisPoints / 100).ToString(CultureInfo.InvariantCulture)}.{(basisPoints % 100).ToString("00", CultureInfo.InvariantCulture)} %";

    // PdfPig's standard Helvetica writes ASCII only: accents are dropped (Sàrl -> Sarl), anything else prints as '?'.
    private static string Safe(string text)
    {
        var decomposed = text.Normalize(System.Text.NormalizationForm.FormD)
            .Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark);
        return new string(decomposed.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
    }
}
