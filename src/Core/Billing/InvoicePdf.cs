using System.Globalization;
using System.Text;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts;
using UglyToad.PdfPig.Fonts.AdobeFontMetrics;
using UglyToad.PdfPig.Fonts.Encodings;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Graphics.Operations.TextShowing;
using UglyToad.PdfPig.Writer;

namespace Hosting.Core.Billing;

/// <summary>One line of a rendered invoice, amounts in minor units of the document's currency.</summary>
/// <param name="Description">What was sold; truncated to the column when too long.</param>
/// <param name="NetMinor">Net amount after discounts.</param>
/// <param name="VatRateBasisPoints">VAT rate in basis points (770 = 7.70 %).</param>
/// <param name="VatMinor">VAT amount.</param>
/// <param name="TotalMinor">Net plus VAT.</param>
public sealed record InvoiceDocumentLine(string Description, long NetMinor, int VatRateBasisPoints, long VatMinor, long TotalMinor);

/// <summary>What an invoice or pro forma PDF shows, amounts in minor units of <paramref name="Currency"/>.</summary>
/// <param name="Title">"Invoice" or "Pro forma invoice".</param>
/// <param name="Number">The document number, e.g. "2026-000042" or "PF-20261124-AB12CD".</param>
/// <param name="IssuedAt">When it was issued; its date is printed in the offset given.</param>
/// <param name="SellerName">The provider.</param>
/// <param name="OrganizationName">The billed organization.</param>
/// <param name="BillingAddressLines">The billing address, one printed line each.</param>
/// <param name="Lines">The table rows.</param>
/// <param name="SubtotalMinor">Sum of the net amounts.</param>
/// <param name="VatMinor">Sum of the VAT amounts.</param>
/// <param name="TotalMinor">Amount due.</param>
/// <param name="Currency">ISO 4217 code printed after every amount.</param>
/// <param name="Notice">Printed prominently under the title when set, e.g. that a pro forma has no legal value.</param>
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

/// <summary>Renders invoices as A4 PDF with PdfPig's writer and the standard Helvetica (nothing embedded), paginated.</summary>
public static class InvoicePdf
{
    /// <summary>No glyph is drawn below this height (points from the bottom edge).</summary>
    internal const double BottomMargin = 56;

    /// <summary>Where descriptions end, so the amount columns stay readable.</summary>
    internal const double DescriptionWidth = 190;

    private const double Left = 50;
    private const double Right = 545;
    private const double Top = 792;
    private const double NetRight = 340;
    private const double RateRight = 400;
    private const double VatRight = 470;
    private const string Ellipsis = "...";

    // PdfPig 0.1.16 declares its standard fonts with /StandardEncoding, which has no accented letters, and refuses most
    // of them in AddText. The two names have the same length once padded, so swapping them keeps every xref offset valid.
    private static readonly byte[] _standardEncoding = "/Encoding /StandardEncoding"u8.ToArray();
    private static readonly byte[] _winAnsiEncoding = "/Encoding /WinAnsiEncoding "u8.ToArray();

    private static readonly Glyphs _winAnsi = Glyphs.WinAnsi();
    private static readonly Glyphs _ascii = Glyphs.Ascii();

    /// <summary>The PDF bytes of a document; characters Helvetica cannot show print as '?', so user text never makes it throw.</summary>
    public static byte[] Render(InvoiceDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var pdf = Layout(document, _winAnsi);
        if (DeclareWinAnsi(pdf))
        {
            return pdf;
        }

        // A PdfPig that writes its fonts differently: ASCII reads the same under any simple encoding, accents are folded.
        return Layout(document, _ascii);
    }

    /// <summary>Minor units as an amount with two decimals and the currency, e.g. 1234567 and "CHF" → "12345.67 CHF".</summary>
    public static string FormatAmount(long minor, string currency) => $"{FormatNumber(minor)} {currency}";

    /// <summary>Integer division only, so no rounding can creep in; the sign is separate because -5 / 100 is 0.</summary>
    internal static string FormatNumber(long minor)
    {
        var whole = Math.Abs(minor / 100);
        var cents = Math.Abs(minor % 100);
        var sign = minor < 0 ? "-" : string.Empty;
        return $"{sign}{whole.ToString(CultureInfo.InvariantCulture)}.{cents.ToString("00", CultureInfo.InvariantCulture)}";
    }

    /// <summary>Basis points as a percentage with two decimals, e.g. 770 → "7.70 %".</summary>
    internal static string FormatRate(int basisPoints) => $"{FormatNumber(basisPoints)} %";

    private static byte[] Layout(InvoiceDocument document, Glyphs glyphs)
    {
        var writer = new PageWriter(glyphs, $"{document.Title} {document.Number}");
        var currency = document.Currency;

        writer.Line(16, size => writer.Text(writer.Fit($"{document.Title} {document.Number}", Right - Left - 80, size, bold: true), Left, size, bold: true));
        if (!string.IsNullOrWhiteSpace(document.Notice))
        {
            writer.Space(4);
            foreach (var part in writer.Wrap(document.Notice, Right - Left, 11, bold: true))
            {
                writer.Line(11, size => writer.Text(part, Left, size, bold: true));
            }
        }

        writer.Space(8);
        writer.Line(10, size => writer.Text(writer.Fit($"Issue date: {document.IssuedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}", Right - Left, size), Left, size));
        writer.Line(10, size => writer.Text(writer.Fit($"Seller: {document.SellerName}", Right - Left, size), Left, size));
        writer.Space(8);
        writer.Line(10, size => writer.Text("Bill to:", Left, size));
        writer.Line(11, size => writer.Text(writer.Fit(document.OrganizationName, Right - Left, size, bold: true), Left, size, bold: true));
        foreach (var address in document.BillingAddressLines)
        {
            writer.Line(10, size => writer.Text(writer.Fit(address, Right - Left, size), Left, size));
        }

        writer.Space(12);
        void Header() => writer.Line(9, size =>
        {
            writer.Text("Description", Left, size, bold: true);
            writer.TextRight($"Net ({currency})", NetRight, size, bold: true);
            writer.TextRight("VAT rate", RateRight, size, bold: true);
            writer.TextRight($"VAT ({currency})", VatRight, size, bold: true);
            writer.TextRight($"Total ({currency})", Right, size, bold: true);
            writer.Rule(writer.Baseline - 3);
        });

        Header();
        writer.Continuation = Header;
        foreach (var line in document.Lines)
        {
            writer.Line(9, size =>
            {
                writer.Text(writer.Fit(line.Description, DescriptionWidth, size), Left, size);
                writer.TextRight(FormatNumber(line.NetMinor), NetRight, size);
                writer.TextRight(FormatRate(line.VatRateBasisPoints), RateRight, size);
                writer.TextRight(FormatNumber(line.VatMinor), VatRight, size);
                writer.TextRight(FormatNumber(line.TotalMinor), Right, size);
            });
        }

        writer.Continuation = null;

        // The totals stay together so a page never ends on a subtotal without its total.
        writer.Space(8);
        writer.KeepTogether(3 * PageWriter.Height(11) + 4);
        writer.Rule(writer.Cursor + 2);
        writer.Line(10, size =>
        {
            writer.Text("Subtotal", RateRight - 30, size);
            writer.TextRight(FormatAmount(document.SubtotalMinor, currency), Right, size);
        });
        writer.Line(10, size =>
        {
            writer.Text("VAT", RateRight - 30, size);
            writer.TextRight(FormatAmount(document.VatMinor, currency), Right, size);
        });
        writer.Line(11, size =>
        {
            writer.Text("Total", RateRight - 30, size, bold: true);
            writer.TextRight(FormatAmount(document.TotalMinor, currency), Right, size, bold: true);
        });

        writer.NumberPages();
        return writer.Build();
    }

    private static bool DeclareWinAnsi(byte[] pdf)
    {
        var span = pdf.AsSpan();
        var replaced = 0;
        for (var at = span.IndexOf(_standardEncoding); at >= 0; at = span.IndexOf(_standardEncoding))
        {
            _winAnsiEncoding.CopyTo(span[at..]);
            replaced++;
        }

        return replaced > 0;
    }

    /// <summary>Lays lines top-down, opening a new page when the next one would cross the bottom margin.</summary>
    private sealed class PageWriter
    {
        private readonly PdfDocumentBuilder _builder = new();
        private readonly List<PdfPageBuilder> _pages = [];
        private readonly Glyphs _glyphs;
        private readonly string _runningTitle;
        private readonly PdfDocumentBuilder.AddedFont _regular;
        private readonly PdfDocumentBuilder.AddedFont _bold;
        private PdfPageBuilder _page;

        public PageWriter(Glyphs glyphs, string runningTitle)
        {
            _glyphs = glyphs;
            _runningTitle = runningTitle;
            _regular = _builder.AddStandard14Font(Standard14Font.Helvetica);
            _bold = _builder.AddStandard14Font(Standard14Font.HelveticaBold);
            _page = AddPage();
        }

        /// <summary>Top of the space left on the current page.</summary>
        public double Cursor { get; private set; } = Top;

        /// <summary>Baseline of the line being drawn.</summary>
        public double Baseline { get; private set; }

        /// <summary>Drawn at the top of every further page, e.g. the table header.</summary>
        public Action? Continuation { get; set; }

        /// <summary>Line height for a font size: room for ascenders above and descenders below the baseline.</summary>
        public static double Height(double size) => size * 1.45;

        public void Line(double size, Action<double> draw)
        {
            KeepTogether(Height(size));
            Baseline = Cursor - size;
            Cursor -= Height(size);
            draw(size);
        }

        public void Space(double points) => Cursor -= points;

        public void KeepTogether(double height)
        {
            if (Cursor - height < BottomMargin)
            {
                _page = AddPage();
                Cursor = Top - Height(9) - 8;
                var continuation = Continuation;
                Continuation = null;
                continuation?.Invoke();
                Continuation = continuation;
            }
        }

        public void Text(string text, double x, double size, bool bold = false) => Draw(_page, text, x, Baseline, size, bold);

        public void TextRight(string text, double right, double size, bool bold = false) =>
            Draw(_page, text, right - _glyphs.Width(_glyphs.Clean(text), size, bold), Baseline, size, bold);

        public void Rule(double y) => _page.DrawLine(new PdfPoint(Left, y), new PdfPoint(Right, y), 0.5);

        /// <summary>The text cut with an ellipsis so it fits <paramref name="width"/>.</summary>
        public string Fit(string text, double width, double size, bool bold = false)
        {
            var clean = _glyphs.Clean(text);
            if (_glyphs.Width(clean, size, bold) <= width)
            {
                return clean;
            }

            var room = width - _glyphs.Width(Ellipsis, size, bold);
            var length = 0;
            var used = 0.0;
            while (length < clean.Length && used + _glyphs.Width(clean[length].ToString(), size, bold) <= room)
            {
                used += _glyphs.Width(clean[length].ToString(), size, bold);
                length++;
            }

            return clean[..length].TrimEnd() + Ellipsis;
        }

        /// <summary>Words spread over as many lines as needed; a single word too long for a line is cut.</summary>
        public IEnumerable<string> Wrap(string text, double width, double size, bool bold = false)
        {
            var line = string.Empty;
            foreach (var word in _glyphs.Clean(text).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : $"{line} {word}";
                if (line.Length > 0 && _glyphs.Width(candidate, size, bold) > width)
                {
                    yield return Fit(line, width, size, bold);
                    line = word;
                }
                else
                {
                    line = candidate;
                }
            }

            if (line.Length > 0)
            {
                yield return Fit(line, width, size, bold);
            }
        }

        public void NumberPages()
        {
            for (var i = 0; i < _pages.Count; i++)
            {
                var label = $"Page {i + 1} of {_pages.Count}";
                Draw(_pages[i], label, Right - _glyphs.Width(label, 8, bold: false), Top - 8, 8, bold: false);
            }
        }

        public byte[] Build() => _builder.Build();

        private PdfPageBuilder AddPage()
        {
            var page = _builder.AddPage(PageSize.A4);
            _pages.Add(page);
            if (_pages.Count > 1)
            {
                Draw(page, Fit($"{_runningTitle} (continued)", Right - Left - 80, 9), Left, Top - 9, 9, bold: false);
            }

            return page;
        }

        // AddText registers the font on the page and positions the text, but only writes what /StandardEncoding can:
        // it is given a space and its text operation is swapped for our WinAnsi bytes.
        private void Draw(PdfPageBuilder page, string text, double x, double baseline, double size, bool bold)
        {
            var operations = page.CurrentStream.Operations;
            var first = operations.Count;
            page.AddText(" ", size, new PdfPoint(x, baseline), bold ? _bold : _regular);
            var shown = operations.FindIndex(first, o => o is ShowText);
            for (var i = operations.Count - 1; i >= shown; i--)
            {
                if (operations[i] is ShowText)
                {
                    operations.RemoveAt(i);
                }
            }

            operations.Insert(shown, new ShowText(_glyphs.Encode(_glyphs.Clean(text))));
        }
    }

    /// <summary>The characters the fonts can show, their codes and widths.</summary>
    private sealed class Glyphs
    {
        private static readonly IReadOnlyDictionary<string, AdobeFontMetricsIndividualCharacterMetric> _regularMetrics =
            Standard14.GetAdobeFontMetrics(Standard14Font.Helvetica).CharacterMetrics;

        private static readonly IReadOnlyDictionary<string, AdobeFontMetricsIndividualCharacterMetric> _boldMetrics =
            Standard14.GetAdobeFontMetrics(Standard14Font.HelveticaBold).CharacterMetrics;

        private readonly Dictionary<char, (byte Code, string Name)> _table;
        private readonly bool _foldAccents;

        private Glyphs(Dictionary<char, (byte Code, string Name)> table, bool foldAccents)
        {
            _table = table;
            _foldAccents = foldAccents;
        }

        public static Glyphs WinAnsi()
        {
            var table = new Dictionary<char, (byte, string)>();
            foreach (var (code, name) in WinAnsiEncoding.Instance.CodeToNameMap.OrderBy(p => p.Key))
            {
                var unicode = GlyphList.AdobeGlyphList.NameToUnicode(name);
                if (code is > 0 and <= byte.MaxValue && unicode is { Length: 1 } && _regularMetrics.ContainsKey(name) && _boldMetrics.ContainsKey(name))
                {
                    table.TryAdd(unicode[0], ((byte)code, name));
                }
            }

            return new Glyphs(table, foldAccents: false);
        }

        public static Glyphs Ascii()
        {
            var winAnsi = WinAnsi();
            var table = winAnsi._table.Where(p => p.Key is >= ' ' and <= '~').ToDictionary(p => p.Key, p => p.Value);
            return new Glyphs(table, foldAccents: true);
        }

        /// <summary>The text with whitespace as plain spaces and one '?' per character (or emoji) the font cannot show.</summary>
        public string Clean(string? text)
        {
            var normalized = (text ?? string.Empty).Normalize(NormalizationForm.FormC);
            if (_foldAccents)
            {
                normalized = new string(normalized.Normalize(NormalizationForm.FormD)
                    .Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark).ToArray());
            }

            var clean = new StringBuilder(normalized.Length);
            foreach (var rune in normalized.EnumerateRunes())
            {
                if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune))
                {
                    clean.Append(' ');
                }
                else if (rune.IsBmp && _table.ContainsKey((char)rune.Value))
                {
                    clean.Append((char)rune.Value);
                }
                else
                {
                    clean.Append('?');
                }
            }

            return clean.ToString();
        }

        /// <summary>Codes of cleaned text (see <see cref="Clean"/>).</summary>
        public byte[] Encode(string clean) => clean.Select(c => _table[c].Code).ToArray();

        /// <summary>Width in points of cleaned text.</summary>
        public double Width(string clean, double size, bool bold)
        {
            var metrics = bold ? _boldMetrics : _regularMetrics;
            return clean.Sum(c => _table.TryGetValue(c, out var glyph) ? metrics[glyph.Name].Width.X : metrics["question"].Width.X) * size / 1000;
        }
    }
}
