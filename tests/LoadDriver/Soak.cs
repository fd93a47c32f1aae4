using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Wallets.V1;

namespace Hosting.LoadDriver;

/// <summary>
/// A bounded soak: a steady rate of mixed calls (reads, wallet payments, checkouts) against one
/// host for a fixed time, memory sampled throughout, and the invariants checked at the end.
/// Writes its figures into the soak section of docs/reliability.md.
/// </summary>
internal static class Soak
{
    private const string AuditKey = "soak-audit-key-0123456789-abcdefghijk";
    private const string Begin = "<!-- soak:begin -->";
    private const string End = "<!-- soak:end -->";

    // A call the host never answers is counted as DEADLINE_EXCEEDED instead of holding the soak open.
    private static readonly TimeSpan CallBudget = TimeSpan.FromSeconds(30);

    private static DateTime Deadline() => DateTime.UtcNow.Add(CallBudget);

    public static async Task<int> RunAsync(string repository, string docs, int seconds, int rate)
    {
        var folder = Directory.CreateTempSubdirectory("hosting-soak-").FullName;
        try
        {
            await using var host = await HostProcess.StartAsync(repository,
                $"--Storage:ConnectionString=Data Source={folder}/hosting.db", "--Wallet:MaximumTopUp=1000000000", "--Wallet:PeriodLimit=100000000000",
                "--ApiKeys:Keys:0:Name=auditor", $"--ApiKeys:Keys:0:Key={AuditKey}", "--ApiKeys:Keys:0:Scopes:0=audit");
            var channel = GrpcChannel.ForAddress(host.Address);
            var customers = await Customers.CreateAsync(host, channel, "soak", 20);
            await Customers.TopUpAsync(channel, customers, 100_000_000);
            var organizations = new OrganizationsService.OrganizationsServiceClient(channel);
            var wallet = new WalletService.WalletServiceClient(channel);
            var billing = new BillingService.BillingServiceClient(channel);

            var statuses = new ConcurrentDictionary<string, long>();
            var paid = new ConcurrentBag<(Customer Customer, string Transaction, string Invoice)>();
            var invoiceNumbers = new ConcurrentBag<string>();
            var rss = new List<(double Seconds, long Bytes)>();
            using var gate = new SemaphoreSlim(64);
            var inFlight = new List<Task>();
            var clock = Stopwatch.StartNew();
            var interval = TimeSpan.FromSeconds(1.0 / rate);
            var sent = 0L;
            var nextSample = TimeSpan.Zero;
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                if (clock.Elapsed >= nextSample)
                {
                    rss.Add((clock.Elapsed.TotalSeconds, host.StatusBytes("VmRSS")));
                    nextSample += TimeSpan.FromSeconds(5);
                }

                var n = sent++;
                var c = customers[n % customers.Length];
                await gate.WaitAsync();
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        switch (n % 10)
                        {
                            case < 6:
                                await organizations.GetOrganizationAsync(new GetOrganizationRequest { Name = c.Organization }, c.Bearer, Deadline());
                                break;
                            case < 9:
                                // The wallet pays only a real item (WAL-7): a bank-transfer order's unpaid invoice.
                                var order = await billing.ConfirmOrderAsync(new ConfirmOrderRequest
                                {
                                    Parent = c.Organization, PaymentMethod = "bank-transfer", RequestId = $"soak-order-{n}",
                                    Lines = { new CartLine { ProductType = (int)Hosting.Organizations.V1.ProductType.DomainName, DisplayName = $"soak-{n}.ch", PeriodMonths = 12 } },
                                }, c.Bearer, Deadline());
                                invoiceNumbers.Add(order.Invoice.Number);
                                var payment = await wallet.PayFromWalletAsync(new PayFromWalletRequest
                                {
                                    Parent = c.Organization, Amount = new Money { Minor = order.Invoice.TotalMinor, Currency = order.Invoice.Currency }, Reference = order.Invoice.Name, RequestId = $"soak-pay-{n}",
                                }, c.Bearer, Deadline());
                                paid.Add((c, payment.Transaction.Name, order.Invoice.Name));
                                break;
                            default:
                                var checkout = await billing.CheckoutAsync(new CheckoutRequest { Parent = c.Organization, Products = { c.Product }, PaymentMethod = "wallet", RequestId = $"soak-co-{n}" }, c.Bearer, Deadline());
                                invoiceNumbers.Add(checkout.Invoice.Number);
                                break;
                        }

                        statuses.AddOrUpdate("OK", 1, (_, v) => v + 1);
                    }
                    catch (RpcException e)
                    {
                        statuses.AddOrUpdate(e.StatusCode.ToString(), 1, (_, v) => v + 1);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
                var due = interval * (n + 1);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed);
                }
            }

            await Task.WhenAll(inFlight);
            var elapsed = clock.Elapsed.TotalSeconds;
            rss.Add((elapsed, host.StatusBytes("VmRSS")));

            // Invariants: the ledger audit, every acknowledged payment recorded with its invoice paid, invoice numbers without gaps.
            var audit = await wallet.AuditLedgerAsync(new AuditLedgerRequest(), new Metadata { { "x-api-key", AuditKey } }, Deadline());
            var missing = 0;
            foreach (var group in paid.GroupBy(p => p.Customer))
            {
                var recorded = new HashSet<string>();
                var token = string.Empty;
                do
                {
                    var page = await wallet.ListLedgerTransactionsAsync(new ListLedgerTransactionsRequest { Parent = $"{group.Key.Organization}/wallets/CHF", PageSize = 200, PageToken = token }, group.Key.Bearer, Deadline());
                    recorded.UnionWith(page.Transactions.Select(t => t.Name));
                    token = page.NextPageToken;
                }
                while (token.Length > 0);
                missing += group.Count(p => !recorded.Contains(p.Transaction));
            }

            var numbers = new List<long>();
            var paidInvoices = new HashSet<string>();
            foreach (var c in customers)
            {
                var token = string.Empty;
                do
                {
                    var page = await billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = c.Organization, PageSize = 200, PageToken = token }, c.Bearer, Deadline());
                    numbers.AddRange(page.Invoices.Select(i => long.Parse(i.Number, CultureInfo.InvariantCulture)));
                    paidInvoices.UnionWith(page.Invoices.Where(i => i.State == InvoiceState.Paid).Select(i => i.Name));
                    token = page.NextPageToken;
                }
                while (token.Length > 0);
            }

            missing += paid.Count(p => !paidInvoices.Contains(p.Invoice));
            numbers.Sort();
            var gapless = numbers.SequenceEqual(Enumerable.Range(1, numbers.Count).Select(i => (long)i));
            var acknowledgedInvoicesListed = invoiceNumbers.All(n => numbers.Contains(long.Parse(n, CultureInfo.InvariantCulture)));
            var third = Math.Max(1, rss.Count / 3);
            var early = Median(rss.Take(third).Select(r => r.Bytes));
            var late = Median(rss.Skip(rss.Count - third).Select(r => r.Bytes));
            var ok = statuses.GetValueOrDefault("OK");
            var failures = statuses.Where(s => s.Key != "OK").Sum(s => s.Value);
            var passed = audit.Violations.Count == 0 && missing == 0 && gapless && acknowledgedInvoicesListed && failures == 0 && late <= early * 1.5;

            var text = new StringBuilder()
                .AppendLine(Begin)
                .AppendLine(CultureInfo.InvariantCulture, $"Soak of {DateTime.UtcNow:yyyy-MM-dd} on this machine (`dotnet cake --target=Bench`, or `dotnet run -c Release --project tests/LoadDriver -- --soak {seconds} --rate {rate}`): {elapsed:F0} s at {rate} calls/s on SQLite, 20 customers, 60% GetOrganization, 30% wallet payments (a bank-transfer order, then its invoice paid from the wallet), 10% checkouts paid from the wallet.")
                .AppendLine()
                .AppendLine("| figure | value |")
                .AppendLine("|---|---|")
                .AppendLine(CultureInfo.InvariantCulture, $"| calls sent | {sent:N0} ({sent / elapsed:F1}/s) |")
                .AppendLine(CultureInfo.InvariantCulture, $"| answers | {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value:N0}"))} |")
                .AppendLine(CultureInfo.InvariantCulture, $"| acknowledged payments / missing from the ledger or their invoice unpaid | {paid.Count:N0} / {missing} |")
                .AppendLine(CultureInfo.InvariantCulture, $"| invoices issued / numbers without gaps | {numbers.Count:N0} / {(gapless ? "yes" : "no")} |")
                .AppendLine(CultureInfo.InvariantCulture, $"| ledger audit violations | {audit.Violations.Count} |")
                .AppendLine(CultureInfo.InvariantCulture, $"| host RSS, median of the first and last third | {early / 1048576.0:F0} MiB, {late / 1048576.0:F0} MiB (ratio {(double)late / early:F2}) |")
                .AppendLine(CultureInfo.InvariantCulture, $"| verdict | {(passed ? "passed: no unexpected errors, nothing lost, invariants hold, memory flat (last third within 1.5x of the first)" : "FAILED")} |")
                .AppendLine(End)
                .ToString();
            var path = Path.Combine(docs, "reliability.md");
            var doc = await File.ReadAllTextAsync(path);
            var start = doc.IndexOf(Begin, StringComparison.Ordinal);
            var stop = doc.IndexOf(End, StringComparison.Ordinal);
            doc = start >= 0 && stop > start
                ? doc[..start] + text.TrimEnd() + doc[(stop + End.Length)..]
                : doc.TrimEnd() + "\n\n## Soak\n\n" + text;
            await File.WriteAllTextAsync(path, doc);
            Console.WriteLine(text);
            return passed ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }
}
