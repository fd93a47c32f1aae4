using Hosting.Core.Billing;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;

namespace Hosting.Tests.Core;

/// <summary>
/// Where the invoice's text sits: read back glyph by glyph, the document must read top-down in order, keep its
/// margins and columns, never overlap two lines, and break pages only where it must.
/// </summary>
public sealed class InvoicePdfLayoutTests
{
    private const double PageWidth = 595;
    private const double Margin = 50;
    private const double DescriptionEnd = Margin + InvoicePdf.DescriptionWidth;

    private static InvoiceDocument Document(
        IReadOnlyList<InvoiceDocumentLine>? lines = null,
        string? notice = null,
        string organizationName = "Meier Web GmbH",
        string number = "2026-000042") => new(
        "Invoice",
        number,
        new DateTimeOffset(2026, 11, 24, 10, 30, 0, TimeSpan.Zero),
        "Example Hosting AG",
        organizationName,
        ["Bahnhofstrasse 1", "8001 Zürich", "CH"],
        lines ?? [new InvoiceDocumentLine("meier.ch hosting, 12 months", 11_463, 770, 882, 12_345)],
        11_463,
        882,
        12_345,
        "CHF",
        notice);

    private static List<InvoiceDocumentLine> Rows(int count) => Enumerable.Range(1, count)
        .Select(i => new InvoiceDocumentLine($"Mailbox {i:000} annual plan", 1_000, 810, 81, 1_081))
        .ToList();

    /// <summary>A run of text as drawn: its page (from 0), horizontal extent, baseline and font size.</summary>
    private sealed record Run(string Text, int Page, double Left, double Right, double Baseline, double Size, bool Bold);

    /// <summary>Every printed line (glyphs sharing a baseline), left to right, with its runs split where the pen jumped.</summary>
    private sealed record PrintedLine(int Page, double Baseline, IReadOnlyList<Run> Runs)
    {
        public string Text => string.Concat(Runs.Select(r => r.Text));

        public double Size => Runs.Max(r => r.Size);
    }

    private static List<PrintedLine> Read(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        var lines = new List<PrintedLine>();
        foreach (var (page, index) in document.GetPages().Select((p, i) => (p, i)))
        {
            foreach (var group in page.Letters.GroupBy(l => Math.Round(l.StartBaseLine.Y, 2)).OrderByDescending(g => g.Key))
            {
                var runs = new List<Run>();
                var current = new List<Letter>();
                foreach (var letter in group.OrderBy(l => l.StartBaseLine.X))
                {
                    if (current.Count > 0 && letter.StartBaseLine.X - current[^1].EndBaseLine.X > 0.5)
                    {
                        runs.Add(RunOf(current, index));
                        current = [];
                    }

                    current.Add(letter);
                }

                runs.Add(RunOf(current, index));
                lines.Add(new PrintedLine(index, group.Key, runs));
            }
        }

        return lines;
    }

    private static Run RunOf(List<Letter> letters, int page) => new(
        string.Concat(letters.Select(l => l.Value)),
        page,
        letters[0].StartBaseLine.X,
        letters[^1].EndBaseLine.X,
        letters[0].StartBaseLine.Y,
        letters.Max(l => l.PointSize),
        letters.All(l => (l.FontName ?? string.Empty).Contains("Bold", StringComparison.OrdinalIgnoreCase)));

    private static PrintedLine LineStartingWith(IEnumerable<PrintedLine> lines, string start) =>
        Assert.Single(lines, l => l.Text.StartsWith(start, StringComparison.Ordinal));

    private static Run RunOf(IEnumerable<PrintedLine> lines, string text) =>
        Assert.Single(lines.SelectMany(l => l.Runs), r => r.Text == text);

    /// <summary>The line below starts under the one above with room for descenders and ascenders.</summary>
    private static void AssertBelowWithoutOverlap(PrintedLine above, PrintedLine below)
    {
        Assert.Equal(above.Page, below.Page);
        Assert.True(
            above.Baseline - below.Baseline >= below.Size * 1.2,
            $"'{below.Text}' at {below.Baseline} crowds '{above.Text}' at {above.Baseline}");
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void TheHead_ReadsTopDown_InItsOrder_EachLineClearOfTheOneAbove()
    {
        var lines = Read(InvoicePdf.Render(Document(notice: "This pro forma invoice has no legal, tax or accounting value.")));

        string[] order =
        [
            "Invoice 2026-000042", "This pro forma", "Issue date: 2026-11-24", "Seller: Example Hosting AG", "Bill to:",
            "Meier Web GmbH", "Bahnhofstrasse 1", "8001 Zürich", "CH", "Description", "meier.ch hosting", "Subtotal", "VAT8", "Total123",
        ];
        var printed = order.Select(start => LineStartingWith(lines, start)).ToList();
        for (var i = 1; i < printed.Count; i++)
        {
            AssertBelowWithoutOverlap(printed[i - 1], printed[i]);
        }

        Assert.Equal(
            order,
            lines.Where(l => !l.Text.StartsWith("Page ", StringComparison.Ordinal))
                .Select(l => order.First(start => l.Text.StartsWith(start, StringComparison.Ordinal))));
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void Blocks_AreSetApartByMoreSpaceThanTheLinesWithinThem()
    {
        var lines = Read(InvoicePdf.Render(Document(notice: "This pro forma invoice has no legal, tax or accounting value.")));
        double Gap(string above, string below) => LineStartingWith(lines, above).Baseline - LineStartingWith(lines, below).Baseline;

        var withinBlock = Gap("Issue date", "Seller");
        Assert.True(Gap("Seller", "Bill to:") > withinBlock + 4, "the seller runs into the billed organization");
        Assert.True(Gap("This pro forma", "Issue date") > withinBlock + 4, "the notice runs into the dates");
        Assert.True(Gap("CH", "Description") > withinBlock + 8, "the address runs into the table");
        Assert.True(Gap("meier.ch hosting", "Subtotal") > withinBlock + 4, "the last row runs into the totals");
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void TextKeepsTheMargins_LeftAlignedAtTheLeftMargin_AndAmountsEndingAtTheRightOne()
    {
        var lines = Read(InvoicePdf.Render(Document()));

        foreach (var start in new[] { "Invoice 2026", "Issue date", "Seller", "Bill to:", "Meier Web GmbH", "Bahnhofstrasse 1", "Description", "meier.ch hosting" })
        {
            Assert.Equal(Margin, LineStartingWith(lines, start).Runs[0].Left, 1);
        }

        Assert.All(lines.SelectMany(l => l.Runs), r =>
        {
            Assert.True(r.Left >= Margin - 0.01, $"'{r.Text}' starts at {r.Left}, left of the margin");
            Assert.True(r.Right <= PageWidth - Margin + 0.01, $"'{r.Text}' ends at {r.Right}, right of the margin");
        });
        foreach (var amount in new[] { "114.63 CHF", "8.82 CHF", "123.45 CHF", "Total (CHF)", "123.45" })
        {
            Assert.Equal(PageWidth - Margin, RunOf(lines, amount).Right, 1);
        }
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void EachAmount_EndsUnderItsColumnHeading_AndTheHeadingsAreBold()
    {
        var lines = Read(InvoicePdf.Render(Document()));

        (string Heading, string Value)[] columns = [("Net (CHF)", "114.63"), ("VAT rate", "7.70 %"), ("VAT (CHF)", "8.82"), ("Total (CHF)", "123.45")];
        foreach (var (heading, value) in columns)
        {
            var head = RunOf(lines, heading);
            Assert.True(head.Bold, $"'{heading}' is not bold");
            Assert.Equal(head.Right, RunOf(lines, value).Right, 1);
        }

        var rights = columns.Select(c => RunOf(lines, c.Heading)).ToList();
        for (var i = 1; i < rights.Count; i++)
        {
            Assert.True(rights[i].Left > rights[i - 1].Right + 10, $"'{rights[i].Text}' runs into '{rights[i - 1].Text}'");
        }

        Assert.True(rights[0].Left > DescriptionEnd, "the net column reaches into the descriptions");
        Assert.False(RunOf(lines, "meier.ch hosting, 12 months").Bold);
        Assert.True(RunOf(lines, "Description").Bold);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void TheTotals_LabelsStandInOneColumn_RightOfTheDescriptions_AndTheTotalIsBold()
    {
        var lines = Read(InvoicePdf.Render(Document()));

        var subtotal = RunOf(lines, "Subtotal");
        var vat = RunOf(lines, "VAT");
        var total = RunOf(lines, "Total");
        Assert.Equal(subtotal.Left, vat.Left, 1);
        Assert.Equal(subtotal.Left, total.Left, 1);
        Assert.True(subtotal.Left > DescriptionEnd && subtotal.Left < RunOf(lines, "VAT rate").Right);
        Assert.True(total.Bold && RunOf(lines, "123.45 CHF").Bold);
        Assert.False(subtotal.Bold || vat.Bold || RunOf(lines, "114.63 CHF").Bold);
        Assert.True(total.Size > subtotal.Size);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void ATruncatedDescription_FillsItsColumn_AndStopsBeforeTheNetAmount()
    {
        var description = string.Concat(Enumerable.Repeat("abcdefghij", 12));
        var lines = Read(InvoicePdf.Render(Document(lines: [new InvoiceDocumentLine(description, 1_000, 810, 81, 1_081)])));

        var row = LineStartingWith(lines, "abcdefghij");
        var cut = row.Runs[0];
        Assert.EndsWith("...", cut.Text, StringComparison.Ordinal);
        Assert.StartsWith(cut.Text[..^3], description, StringComparison.Ordinal);
        Assert.True(cut.Right <= DescriptionEnd + 0.01, $"the description ends at {cut.Right}, past its column");
        // Helvetica's widest letter here is 5.004 points at 9 points: a longer cut would still have fitted.
        Assert.True(cut.Right > DescriptionEnd - 5.01, $"the description stops at {cut.Right}, short of its column");
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void ALongNotice_WrapsOnWordsAcrossTheWidth_EveryLineAsFullAsTheNextWordAllows()
    {
        var words = Enumerable.Range(1, 60).Select(i => $"word{i}").ToList();
        var lines = Read(InvoicePdf.Render(Document(notice: string.Join(' ', words))));

        var noticeLines = lines.Where(l => l.Text.StartsWith("word", StringComparison.Ordinal)).ToList();
        Assert.True(noticeLines.Count >= 3, $"the notice took {noticeLines.Count} lines");
        Assert.Equal(words, noticeLines.SelectMany(l => l.Text.Split(' ')).ToList());
        for (var i = 0; i < noticeLines.Count; i++)
        {
            var line = noticeLines[i].Runs.Single();
            Assert.True(line.Bold);
            Assert.Equal(Margin, line.Left, 1);
            Assert.True(line.Right <= PageWidth - Margin + 0.01, $"notice line {i} ends at {line.Right}");
            if (i + 1 < noticeLines.Count)
            {
                AssertBelowWithoutOverlap(noticeLines[i], noticeLines[i + 1]);
                var nextWord = noticeLines[i + 1].Text.Split(' ')[0];
                var nextWidth = (noticeLines[i + 1].Runs[0].Right - noticeLines[i + 1].Runs[0].Left) * nextWord.Length / noticeLines[i + 1].Text.Length;
                Assert.True(line.Right + nextWidth > PageWidth - Margin - 8, $"notice line {i} ends at {line.Right} though '{nextWord}' fitted");
            }
        }
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void ALongTitle_StopsShortOfThePageNumber()
    {
        var lines = Read(InvoicePdf.Render(Document(number: string.Concat(Enumerable.Repeat("PF-20261124-AB12CD-", 8)))));

        var title = LineStartingWith(lines, "Invoice PF-").Runs[0];
        var pageNumber = RunOf(lines, "Page 1 of 1");
        Assert.EndsWith("...", title.Text, StringComparison.Ordinal);
        Assert.True(title.Right < pageNumber.Left, $"the title ends at {title.Right}, over the page number at {pageNumber.Left}");
        Assert.True(pageNumber.Left - title.Right < 80, "the title stops far short of the page number");
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void ThePageNumber_StandsTopRight_AboveTheTitle()
    {
        var lines = Read(InvoicePdf.Render(Document()));

        var pageNumber = RunOf(lines, "Page 1 of 1");
        var title = LineStartingWith(lines, "Invoice 2026-000042");
        Assert.Equal(PageWidth - Margin, pageNumber.Right, 1);
        Assert.True(pageNumber.Baseline > title.Baseline);
        Assert.True(pageNumber.Size < title.Size);
        Assert.Equal(lines.Max(l => l.Baseline), pageNumber.Baseline);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void WhitespaceAndControlCharacters_PrintAsSpaces()
    {
        var lines = Read(InvoicePdf.Render(Document(organizationName: "Meier\tWeb\nGmbH\u0007AG")));

        Assert.Equal("Meier Web GmbH AG", LineStartingWith(lines, "Meier").Text);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void AContinuedPage_OpensWithTheRunningTitle_ThenTheTableHeading_ThenTheNextRow()
    {
        var rows = Rows(80);
        var lines = Read(InvoicePdf.Render(Document(lines: rows)));

        var pages = lines.Max(l => l.Page) + 1;
        Assert.True(pages >= 2);
        for (var page = 1; page < pages; page++)
        {
            var onPage = lines.Where(l => l.Page == page && !l.Text.StartsWith("Page ", StringComparison.Ordinal)).ToList();
            Assert.Equal("Invoice 2026-000042 (continued)", onPage[0].Text);
            Assert.Equal(Margin, onPage[0].Runs[0].Left, 1);
            Assert.StartsWith("Description", onPage[1].Text, StringComparison.Ordinal);
            AssertBelowWithoutOverlap(onPage[0], onPage[1]);
            AssertBelowWithoutOverlap(onPage[1], onPage[2]);
            Assert.Equal($"Page {page + 1} of {pages}", RunOf(lines.Where(l => l.Page == page), $"Page {page + 1} of {pages}").Text);
        }

        var printedRows = lines.Where(l => l.Text.StartsWith("Mailbox ", StringComparison.Ordinal)).Select(l => l.Runs[0].Text).ToList();
        Assert.Equal(rows.Select(r => r.Description), printedRows);
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void APage_BreaksOnlyWhenTheNextRowWouldCrossTheBottomMargin()
    {
        var lines = Read(InvoicePdf.Render(Document(lines: Rows(80))));

        var rows = lines.Where(l => l.Text.StartsWith("Mailbox ", StringComparison.Ordinal)).ToList();
        var pitch = rows[0].Baseline - rows[1].Baseline;
        var descent = pitch - rows[0].Size;
        var fullPages = rows.GroupBy(r => r.Page).Where(g => rows.Any(r => r.Page == g.Key + 1)).ToList();
        Assert.NotEmpty(fullPages);
        foreach (var page in fullPages)
        {
            var last = page.Last();
            Assert.True(last.Baseline - descent >= InvoicePdf.BottomMargin - 0.01, $"the last row of page {page.Key} crosses the margin");
            Assert.True(last.Baseline - pitch - descent < InvoicePdf.BottomMargin, $"page {page.Key} broke with room for another row");
        }
    }

    [Fact]
    [Trait("Rule", "BIL-5")]
    public void TheTotals_AreNeverSplitAcrossPages_WhereverTheTableEnds()
    {
        for (var count = 30; count <= 100; count++)
        {
            var lines = Read(InvoicePdf.Render(Document(lines: Rows(count))));

            var subtotal = LineStartingWith(lines, "Subtotal");
            var total = LineStartingWith(lines, "Total123");
            Assert.Equal(subtotal.Page, total.Page);
            Assert.Equal(subtotal.Page, LineStartingWith(lines, "VAT8").Page);
            Assert.True(total.Baseline - (total.Size * 0.25) >= InvoicePdf.BottomMargin - 0.01, $"{count} rows: the total crosses the margin");
            Assert.Equal(count, lines.Count(l => l.Text.StartsWith("Mailbox ", StringComparison.Ordinal)));
        }
    }
}
