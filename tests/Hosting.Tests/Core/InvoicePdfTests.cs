using System.Globalization;
using Hosting.Core.Billing;
using UglyToad.PdfPig;

namespace Hosting.Tests.Core;

public sealed class InvoicePdfTests
{
    private const string ProFormaNotice = "This pro forma invoice has no legal, tax or accounting value.";

    private static InvoiceDocument Document(
        string organizationName = "Meier Web GmbH",
        IReadOnlyList<InvoiceDocumentLine>? lines = null,
        string? notice = null,
        long subtotal = 11_463,
        long vat = 882,
        long total = 12_345) => new(
        "Invoice",
        "2026-000042",
        new DateTimeOffset(2026, 11, 24, 10, 30, 0, TimeSpan.Zero),
        "Example Hosting AG",
        organizationName,
        ["Bahnhofstrasse 1", "8001 Zürich", "CH"],
        lines ?? [new InvoiceDocumentLine("meier.ch hosting, 12 months", 11_463, 770, 882, 12_345)],
        subtotal,
        vat,
        total,
        "CHF",
        notice);

    private static string Text(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join('\n', document.GetPages().Select(p => p.Text));
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void Render_ShowsNumberDateSellerOrganizationLinesAndTotal()
    {
        var text = Text(InvoicePdf.Render(Document()));

        Assert.Contains("Invoice 2026-000042", text, StringComparison.Ordinal);
        Assert.Contains("2026-11-24", text, StringComparison.Ordinal);
        Assert.Contains("Example Hosting AG", text, StringComparison.Ordinal);
        Assert.Contains("Meier Web GmbH", text, StringComparison.Ordinal);
        Assert.Contains("Bahnhofstrasse 1", text, StringComparison.Ordinal);
        Assert.Contains("meier.ch hosting, 12 months", text, StringComparison.Ordinal);
        Assert.Contains("7.70 %", text, StringComparison.Ordinal);
        Assert.Contains("114.63 CHF", text, StringComparison.Ordinal);
        Assert.Contains("8.82 CHF", text, StringComparison.Ordinal);
        Assert.Contains("123.45 CHF", text, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void Render_IsOneA4Page_ForAShortInvoice()
    {
        using var document = PdfDocument.Open(InvoicePdf.Render(Document()));

        var page = Assert.Single(document.GetPages());
        Assert.Equal(595, page.Width, 0);
        Assert.Equal(842, page.Height, 0);
    }

    [Fact]
    [Trait("Rule", "BIL-4")]
    public void Render_PrintsTheProFormaNotice_WhenSet()
    {
        var text = Text(InvoicePdf.Render(Document(notice: ProFormaNotice) with { Title = "Pro forma invoice", Number = "PF-20261124-AB12CD" }));

        Assert.Contains("Pro forma invoice PF-20261124-AB12CD", text, StringComparison.Ordinal);
        Assert.Contains(ProFormaNotice, text, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "BIL-4")]
    public void Render_PrintsNoNotice_WhenNull()
    {
        var text = Text(InvoicePdf.Render(Document(notice: null)));

        Assert.DoesNotContain("pro forma", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("legal", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void Render_PaginatesManyLines_WithoutDrawingBelowTheBottomMargin()
    {
        var lines = Enumerable.Range(1, 80)
            .Select(i => new InvoiceDocumentLine($"Mailbox {i:000} annual plan", 1_000, 810, 81, 1_081))
            .ToList();

        var pdf = InvoicePdf.Render(Document(lines: lines, subtotal: 80_000, vat: 6_480, total: 86_480));

        using var document = PdfDocument.Open(pdf);
        var pages = document.GetPages().ToList();
        Assert.True(pages.Count > 1, $"expected more than one page, got {pages.Count}");
        var text = string.Join('\n', pages.Select(p => p.Text));
        Assert.All(lines, l => Assert.Contains(l.Description, text, StringComparison.Ordinal));
        Assert.Contains("864.80 CHF", pages[^1].Text, StringComparison.Ordinal);
        Assert.Contains($"Page 1 of {pages.Count}", pages[0].Text, StringComparison.Ordinal);
        Assert.Contains("(continued)", pages[1].Text, StringComparison.Ordinal);
        Assert.Contains("Description", pages[1].Text, StringComparison.Ordinal);
        Assert.All(pages.SelectMany(p => p.Letters), l => Assert.True(
            l.BoundingBox.Bottom >= InvoicePdf.BottomMargin,
            $"'{l.Value}' drawn at {l.BoundingBox.Bottom}, below the margin"));
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void Render_ReplacesCharactersHelveticaCannotShow_InsteadOfThrowing()
    {
        var pdf = InvoicePdf.Render(Document(organizationName: "Rocket 🚀 北京科技"));

        var text = Text(pdf);
        Assert.Contains("Rocket ? ????", text, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void Render_KeepsLatin1Accents()
    {
        var lines = new[] { new InvoiceDocumentLine("Domaine « café-müller.ch » — renouvellement", 1_000, 810, 81, 1_081) };

        var text = Text(InvoicePdf.Render(Document(organizationName: "Café Müller Sàrl", lines: lines)));

        Assert.Contains("Café Müller Sàrl", text, StringComparison.Ordinal);
        Assert.Contains("8001 Zürich", text, StringComparison.Ordinal);
        Assert.Contains("Domaine « café-müller.ch » — renouvellement", text, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void Render_TruncatesDescriptionsTooLongForTheColumn()
    {
        var description = string.Concat(Enumerable.Repeat("very-long-domain-name ", 20)).TrimEnd();

        using var document = PdfDocument.Open(InvoicePdf.Render(Document(lines: [new InvoiceDocumentLine(description, 1_000, 810, 81, 1_081)])));

        var page = Assert.Single(document.GetPages());
        Assert.DoesNotContain(description, page.Text, StringComparison.Ordinal);
        Assert.Contains("very-long-domain-name very-long", page.Text, StringComparison.Ordinal);
        Assert.Contains("...", page.Text, StringComparison.Ordinal);
        Assert.Contains("10.81", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void Render_FormatsNegativeAndZeroAmounts()
    {
        var lines = new[]
        {
            new InvoiceDocumentLine("Credit for downtime", -1_000, 810, -81, -1_081),
            new InvoiceDocumentLine("Free migration", 0, 0, 0, 0),
        };

        var text = Text(InvoicePdf.Render(Document(lines: lines, subtotal: -1_000, vat: -81, total: -1_081)));

        Assert.Contains("-10.00", text, StringComparison.Ordinal);
        Assert.Contains("-0.81 CHF", text, StringComparison.Ordinal);
        Assert.Contains("-10.81 CHF", text, StringComparison.Ordinal);
        Assert.Contains("0.00 %", text, StringComparison.Ordinal);
    }

    [Theory]
    [Trait("Rule", "BIL-5")]
    [InlineData(1_234_567, "12345.67 CHF")]
    [InlineData(12_345, "123.45 CHF")]
    [InlineData(100, "1.00 CHF")]
    [InlineData(5, "0.05 CHF")]
    [InlineData(0, "0.00 CHF")]
    [InlineData(-5, "-0.05 CHF")]
    [InlineData(-99, "-0.99 CHF")]
    [InlineData(-12_345, "-123.45 CHF")]
    [InlineData(long.MaxValue, "92233720368547758.07 CHF")]
    [InlineData(long.MinValue, "-92233720368547758.08 CHF")]
    public void FormatAmount_UsesTwoDecimalsAndTheCurrency(long minor, string expected) =>
        Assert.Equal(expected, InvoicePdf.FormatAmount(minor, "CHF"));

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void FormatAmount_IgnoresTheCurrentCulture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-CH");
            Assert.Equal("-1234567.89 EUR", InvoicePdf.FormatAmount(-123_456_789, "EUR"));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [Trait("Rule", "BIL-5")]
    [InlineData(770, "7.70 %")]
    [InlineData(810, "8.10 %")]
    [InlineData(2_600, "26.00 %")]
    [InlineData(5, "0.05 %")]
    [InlineData(0, "0.00 %")]
    public void FormatRate_ShowsAPercentageWithTwoDecimals(int basisPoints, string expected) =>
        Assert.Equal(expected, InvoicePdf.FormatRate(basisPoints));
}
