using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Health.V1;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.LoadDriver;
using Hosting.Organizations.V1;
using Hosting.Wallets.V1;

// Usage: Hosting.LoadDriver --repo <root> --hashing <hashing.json> --out <docs folder>
//        [--postgres "<Npgsql connection string of a throwaway server>" --pgbench <path>]
//    or: Hosting.LoadDriver --repo <root> --soak <seconds> [--rate <calls per second>]
// Starts the host (Release build) as its own processes, drives every scenario, and writes
// performance.md and performance.json. Only processes it started are stopped.
if (Array.IndexOf(args, "--soak") is >= 0 and var soakAt && soakAt + 1 < args.Length)
{
    var rateAt = Array.IndexOf(args, "--rate");
    var repoAt = Array.IndexOf(args, "--repo");
    var repository = Path.GetFullPath(repoAt >= 0 ? args[repoAt + 1] : ".");
    return await Soak.RunAsync(repository, Path.Combine(repository, "docs"), int.Parse(args[soakAt + 1], CultureInfo.InvariantCulture),
        rateAt >= 0 ? int.Parse(args[rateAt + 1], CultureInfo.InvariantCulture) : 50);
}

var options = Options.Parse(args);
var report = new Report(options);
report.LoadHashing();
var work = Directory.CreateTempSubdirectory("hosting-bench-").FullName;
// Long enough for tiered JIT to settle: after 3 s the checkout still ran at half its steady rate.
var warmUp = TimeSpan.FromSeconds(10);
var duration = TimeSpan.FromSeconds(options.Seconds);
var wallets = new[] { "--Wallet:MaximumTopUp=1000000000", "--Wallet:PeriodLimit=100000000000" };

try
{
    var clock = Stopwatch.StartNew();
    async Task Step(string name, Func<Task> run)
    {
        if (options.Only.Length == 0 || options.Only.Contains(name))
        {
            Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {name}");
            await run();
        }
    }

    await Step("signin", SignInAndReadAsync);
    await Step("isopoh", IsopohSignInAsync);
    await Step("wallet", WalletSqliteAsync);
    await Step("orders", OrdersSqliteAsync);
    await Step("postgres", async () =>
    {
        if (options.Postgres is not null)
        {
            await WalletPostgresAsync(options.Postgres);
        }
        else
        {
            report.Note("4b, 4c, 4f, 4g (PostgreSQL)", "not run: no --postgres server was given.");
        }
    });
    await Step("events", EventsAsync);
    await Step("growth", GrowthAsync);
    Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] done");
}
finally
{
    report.Write();
    Directory.Delete(work, recursive: true);
}

return 0;

// 2 and 3: sign-in throughput against the hashing limit, the 1,000 sign-in burst, the read RPC against Health/Check.
async Task SignInAndReadAsync()
{
    var folder = Directory.CreateDirectory(Path.Combine(work, "signin")).FullName;
    // The host's default hasher (libsodium where it runs).
    await using var host = await HostProcess.StartAsync(options.Repo, [$"--Storage:ConnectionString=Data Source={folder}/hosting.db", .. wallets]);
    var setup = Load.Channels(host.Address, 1)[0];
    var customers = await Customers.CreateAsync(host, setup, "signin", 16);
    var channels = Load.Channels(host.Address, 2);

    var capacity = HashingCapacity.Measure("Sodium", TimeSpan.FromSeconds(6));
    var signIn = await Load.RunAsync("sign-in (Sodium, default)", channels, 8, warmUp, duration, (w, ch, _) =>
        new AccountsService.AccountsServiceClient(ch).SignInAsync(new SignInRequest { Login = customers[w % customers.Length].Login, Password = Customers.Password }).ResponseAsync);
    report.SignIn("Sodium", signIn, capacity);

    // Burst: 1,000 sign-ins at once over 10 channels; the hasher lets 2 run at a time, the rest queue.
    var rssBefore = host.StatusBytes("VmRSS");
    var hwmBefore = host.StatusBytes("VmHWM");
    var burstChannels = Load.Channels(host.Address, 10);
    var errors = new Dictionary<string, long>();
    var watch = Stopwatch.StartNew();
    var sampler = Task.Run(async () =>
    {
        long peak = 0;
        while (watch.IsRunning)
        {
            peak = Math.Max(peak, host.StatusBytes("VmRSS"));
            await Task.Delay(100);
        }

        return peak;
    });
    await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
    {
        try
        {
            await new AccountsService.AccountsServiceClient(burstChannels[i % burstChannels.Length])
                .SignInAsync(new SignInRequest { Login = customers[i % customers.Length].Login, Password = Customers.Password }, deadline: DateTime.UtcNow.AddMinutes(5));
        }
        catch (RpcException e)
        {
            lock (errors)
            {
                errors[e.StatusCode.ToString()] = errors.GetValueOrDefault(e.StatusCode.ToString()) + 1;
            }
        }
    }));
    var burstSeconds = watch.Elapsed.TotalSeconds;
    watch.Stop();
    var sampledPeak = await sampler;
    report.Burst(rssBefore, hwmBefore, host.StatusBytes("VmHWM"), sampledPeak, burstSeconds, errors);

    // 3: a read RPC against the echo of the same host (Health/Check), same channels and concurrency.
    var owner = customers[0];
    var readChannels = Load.Channels(host.Address, 4);
    var echo = await Load.RunAsync("echo Health/Check", readChannels, 32, warmUp, duration, (_, ch, _) =>
        new Health.HealthClient(ch).CheckAsync(new HealthCheckRequest()).ResponseAsync);
    var read = await Load.RunAsync("GetOrganization", readChannels, 32, warmUp, duration, (w, ch, _) =>
    {
        var c = customers[w % customers.Length];
        return new OrganizationsService.OrganizationsServiceClient(ch).GetOrganizationAsync(new GetOrganizationRequest { Name = c.Organization }, c.Bearer).ResponseAsync;
    });
    report.Read(read, echo);
}

// The managed fallback (Isopoh), chosen explicitly.
async Task IsopohSignInAsync()
{
    var folder = Directory.CreateDirectory(Path.Combine(work, "signin-isopoh")).FullName;
    await using var host = await HostProcess.StartAsync(options.Repo, [$"--Storage:ConnectionString=Data Source={folder}/hosting.db", "--PasswordHashing:Implementation=Isopoh"]);
    var customers = await Customers.CreateAsync(host, Load.Channels(host.Address, 1)[0], "isopoh", 16);
    var capacity = HashingCapacity.Measure("Isopoh", TimeSpan.FromSeconds(6));
    var signIn = await Load.RunAsync("sign-in (Isopoh)", Load.Channels(host.Address, 2), 8, warmUp, duration, (w, ch, _) =>
        new AccountsService.AccountsServiceClient(ch).SignInAsync(new SignInRequest { Login = customers[w % customers.Length].Login, Password = Customers.Password }).ResponseAsync);
    report.SignIn("Isopoh", signIn, capacity);
}

// 4 on SQLite: checkouts paid from the wallet, then the same statements through raw Microsoft.Data.Sqlite.
async Task WalletSqliteAsync()
{
    const int Clients = 8;
    var folder = Directory.CreateDirectory(Path.Combine(work, "wallet")).FullName;
    var database = Path.Combine(folder, "hosting.db");
    Customer[] customers;
    LoadResult ours;
    await using (var host = await HostProcess.StartAsync(options.Repo, [$"--Storage:ConnectionString=Data Source={database}", .. wallets]))
    {
        var setup = Load.Channels(host.Address, 1)[0];
        customers = await Customers.CreateAsync(host, setup, "wallet", Clients);
        await Customers.TopUpAsync(setup, customers, 900_000_000);
        var channels = Load.Channels(host.Address, 2);
        ours = await Load.RunAsync("wallet payment (SQLite)", channels, Clients, warmUp, duration, (w, ch, n) =>
            Customers.CheckoutAsync(new BillingService.BillingServiceClient(ch), customers[w], $"pay-{w}-{n}"));
    }

    var raw = new RawSqliteCheckout(database);
    var targets = await raw.TargetsAsync(customers);
    var reference = await Load.RunAsync("raw Microsoft.Data.Sqlite, same statements", [null!], Clients, warmUp, duration, (w, _, n) =>
        RawSqlite.CountedAsync(raw.PayAsync(targets[w], $"raw-{w}-{n}")));
    report.Wallet("4a", "wallet payment, SQLite", ours, reference, "raw Microsoft.Data.Sqlite, same statements, the writes in one transaction", 0.50);
}

// 4d and 4e on SQLite: orders confirmed for payment by bank transfer (an unpaid invoice each), then those
// invoices paid from the wallet in "to pay"; then the same statements through raw Microsoft.Data.Sqlite.
async Task OrdersSqliteAsync()
{
    const int Clients = 8;
    var folder = Directory.CreateDirectory(Path.Combine(work, "orders")).FullName;
    var database = Path.Combine(folder, "hosting.db");
    Customer[] customers;
    (LoadResult Confirmed, LoadResult Paid) ours;
    await using (var host = await HostProcess.StartAsync(options.Repo, [$"--Storage:ConnectionString=Data Source={database}", .. wallets]))
    {
        var setup = Load.Channels(host.Address, 1)[0];
        customers = await Customers.CreateAsync(host, setup, "orders", Clients);
        await Customers.TopUpAsync(setup, customers, 900_000_000);
        ours = await HostOrdersAsync("SQLite", Load.Channels(host.Address, 2), customers, Clients);
    }

    var raw = new RawSqliteOrders(database);
    var targets = await raw.TargetsAsync(customers);
    var reference = await ConfirmThenPayAsync("raw Microsoft.Data.Sqlite, same statements", [null!], Clients,
        (w, _, n) => RawSqlite.CountedAsync(raw.ConfirmAsync(targets[w], $"raw-order-{w}-{n}")),
        (w, _, invoice, n) => RawSqlite.CountedAsync(raw.PayAsync(targets[w], invoice, $"raw-settle-{w}-{n}")));
    const string Reference = "raw Microsoft.Data.Sqlite, same statements, the writes in one transaction";
    report.Wallet("4d", "bank-transfer order confirmation, SQLite", ours.Confirmed, reference.Confirmed, Reference, 0.50, "orders/s");
    report.Wallet("4e", "paying an unpaid invoice from to-pay with the wallet, SQLite", ours.Paid, reference.Paid, Reference, 0.50);

}

Task<(LoadResult Confirmed, LoadResult Paid)> HostOrdersAsync(string store, GrpcChannel[] channels, Customer[] customers, int clients) =>
    ConfirmThenPayAsync(store, channels, clients,
        (w, ch, n) => Customers.ConfirmBankTransferAsync(new BillingService.BillingServiceClient(ch), customers[w], $"order-{w}-{n}"),
        (w, ch, invoice, n) => Customers.PayInvoiceAsync(new BillingService.BillingServiceClient(ch), customers[w], invoice, $"settle-{w}-{n}"));

// Confirms orders for a while, then pays the invoices they left, oldest first. Each worker pays its own
// customer's invoices, so no two payments meet on one invoice.
async Task<(LoadResult Confirmed, LoadResult Paid)> ConfirmThenPayAsync(string name, GrpcChannel[] channels, int clients,
    Func<int, GrpcChannel, long, Task<string>> confirm, Func<int, GrpcChannel, string, long, Task> pay)
{
    var unpaid = Enumerable.Range(0, clients).Select(_ => new Queue<string>()).ToArray();
    var confirmed = await Load.RunAsync($"bank-transfer order confirmation ({name})", channels, clients, warmUp, duration, async (w, ch, n) =>
        unpaid[w].Enqueue(await confirm(w, ch, n)));

    // The payments' warm-up pays invoices too, and paying may run faster than confirming: the queues are
    // filled to a few times what the confirmations left, and filled further and the payments run again (at
    // most three times) while a run ran out of invoices. Payment ids are unique across the runs.
    var wanted = Math.Max(1, (long)(4 * confirmed.RequestsPerSecond * (warmUp + duration).TotalSeconds / clients));
    var filled = 0L;
    var payments = 0L;
    for (var round = 1; ; round++)
    {
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async w =>
        {
            try
            {
                while (unpaid[w].Count < wanted)
                {
                    unpaid[w].Enqueue(await confirm(w, channels[w % channels.Length], -1 - Interlocked.Increment(ref filled)));
                }
            }
            catch (RpcException e)
            {
                // The payments run with what there is; a shortfall shows in their errors.
                Console.WriteLine($"filling to-pay stopped for client {w}: {e.Status}");
            }
        }));
        var paid = await Load.RunAsync($"paying an unpaid invoice from to-pay ({name})", channels, clients, warmUp, duration, async (w, ch, _) =>
        {
            if (!unpaid[w].TryDequeue(out var invoice))
            {
                await Task.Delay(10); // a worker without invoices waits instead of spinning on the shared cores
                throw new RpcException(new Status(StatusCode.ResourceExhausted, "no unpaid invoice left to pay"));
            }

            await pay(w, ch, invoice, Interlocked.Increment(ref payments));
        });
        if (!paid.Errors.ContainsKey(nameof(StatusCode.ResourceExhausted)) || round == 3)
        {
            return (confirmed, paid);
        }

        wanted *= 2;
    }
}

// 6: the feed of events under the checkout load: the checkout with and without a watcher attached,
// and how many of the events committed meanwhile the watcher received.
async Task EventsAsync()
{
    const int Clients = 8;
    const string Key = "bench-events-key-0123456789-abcdefghijk";
    var database = Path.Combine(Directory.CreateDirectory(Path.Combine(work, "events")).FullName, "hosting.db");
    await using var host = await HostProcess.StartAsync(options.Repo,
        [$"--Storage:ConnectionString=Data Source={database}", .. wallets, "--ApiKeys:Keys:0:Name=bench", $"--ApiKeys:Keys:0:Key={Key}", "--ApiKeys:Keys:0:Scopes:0=events"]);
    var setup = Load.Channels(host.Address, 1)[0];
    var customers = await Customers.CreateAsync(host, setup, "events", Clients);
    await Customers.TopUpAsync(setup, customers, 900_000_000);
    var channels = Load.Channels(host.Address, 2);
    // A first run warms the host (JIT, pools, page cache), so that neither measured run pays for it.
    await Load.RunAsync("wallet payment, warming up", channels, Clients, warmUp, duration, (w, ch, n) =>
        Customers.CheckoutAsync(new BillingService.BillingServiceClient(ch), customers[w], $"wu-{w}-{n}"));
    var without = await Load.RunAsync("wallet payment, no watcher", channels, Clients, warmUp, duration, (w, ch, n) =>
        Customers.CheckoutAsync(new BillingService.BillingServiceClient(ch), customers[w], $"nw-{w}-{n}"));

    var reader = new Hosting.Events.V1.EventsService.EventsServiceClient(Load.Channels(host.Address, 1)[0]);
    var apiKey = new Metadata { { "x-api-key", Key } };
    // Pages to the end of the feed from a cursor: where it ends, and how many events it passed.
    async Task<(string Cursor, long Count)> ToEndAsync(string cursor)
    {
        var count = 0L;
        while (true)
        {
            var page = await reader.ListEventsAsync(new Hosting.Events.V1.ListEventsRequest { Cursor = cursor, PageSize = 500 }, apiKey);
            count += page.Events.Count;
            cursor = page.NextCursor;
            if (page.Events.Count < 500)
            {
                return (cursor, count);
            }
        }
    }

    var (start, _) = await ToEndAsync(string.Empty);

    using var stop = new CancellationTokenSource();
    var received = 0L;
    var watcher = Task.Run(async () =>
    {
        try
        {
            using var watch = reader.WatchEvents(new Hosting.Events.V1.WatchEventsRequest { Cursor = start }, apiKey, cancellationToken: stop.Token);
            while (await watch.ResponseStream.MoveNext(stop.Token))
            {
                if (watch.ResponseStream.Current.Event is not null)
                {
                    Interlocked.Increment(ref received);
                }
            }
        }
        catch (RpcException) when (stop.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException)
        {
        }
    });
    var elapsed = Stopwatch.StartNew();
    var with = await Load.RunAsync("wallet payment, one watcher", channels, Clients, warmUp, duration, (w, ch, n) =>
        Customers.CheckoutAsync(new BillingService.BillingServiceClient(ch), customers[w], $"ww-{w}-{n}"));
    var seconds = elapsed.Elapsed.TotalSeconds;
    var delivered = Interlocked.Read(ref received);
    await stop.CancelAsync();
    await watcher;
    var (_, committed) = await ToEndAsync(start);

    report.Events(without, with, delivered / seconds, committed / seconds);
}

// 4 on PostgreSQL: uniform and hot wallets against pgbench's tpcb-like at the same client count.
async Task WalletPostgresAsync(string connectionString)
{
    const int Clients = 8;
    await using var host = await HostProcess.StartAsync(options.Repo, ["--Storage:Provider=Postgres", $"--Storage:ConnectionString={connectionString}", .. wallets]);
    var setup = Load.Channels(host.Address, 1)[0];
    var customers = await Customers.CreateAsync(host, setup, "pg", 64);
    await Customers.TopUpAsync(setup, customers, 900_000_000);
    var channels = Load.Channels(host.Address, 2);
    var before = await TransactionsAsync(connectionString);
    var uniform = await Load.RunAsync("wallet payment (PostgreSQL, 64 wallets)", channels, Clients, warmUp, duration, (w, ch, n) =>
        Customers.CheckoutAsync(new BillingService.BillingServiceClient(ch), customers[Random.Shared.Next(customers.Length)], $"u-{w}-{n}"));
    var middle = await TransactionsAsync(connectionString);
    var hot = await Load.RunAsync("wallet payment (PostgreSQL, 10 hot wallets)", channels, Clients, warmUp, duration, (w, ch, n) =>
        Customers.CheckoutAsync(new BillingService.BillingServiceClient(ch), customers[Random.Shared.Next(10)], $"h-{w}-{n}"));
    var after = await TransactionsAsync(connectionString);
    var seconds = (warmUp + duration).TotalSeconds;
    report.Note("Optimistic-concurrency retries on PostgreSQL (pg_stat_database.xact_rollback of the host's database, warm-up included)",
        $"64 wallets: {middle.Rollbacks - before.Rollbacks} rolled-back transactions for about {uniform.RequestsPerSecond * seconds:F0} payments; 10 hot wallets: {after.Rollbacks - middle.Rollbacks} for about {hot.RequestsPerSecond * seconds:F0}.");

    // 4f and 4g: the order path, one customer per client.
    var orders = await HostOrdersAsync("PostgreSQL", channels, customers[..Clients], Clients);
    var afterOrders = await TransactionsAsync(connectionString);
    report.Note("Rolled-back transactions of the order path on PostgreSQL (warm-ups and the filling of to-pay included)",
        $"{afterOrders.Rollbacks - after.Rollbacks}, against {afterOrders.Commits - after.Commits} committed (each read outside a write transaction commits on its own).");
    var tps = await PgbenchAsync(connectionString, Clients);
    report.Postgres(uniform, hot, tps, Clients);
    report.AgainstPgbench("4f", "bank-transfer order confirmation, PostgreSQL", orders.Confirmed, tps, "orders/s");
    report.AgainstPgbench("4g", "paying an unpaid invoice from to-pay with the wallet, PostgreSQL", orders.Paid, tps);
}

async Task<(long Commits, long Rollbacks)> TransactionsAsync(string connectionString)
{
    await Task.Delay(TimeSpan.FromSeconds(11)); // idle backends flush their statistics within 10 s
    await using var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
    await connection.OpenAsync();
    await using var command = new Npgsql.NpgsqlCommand("SELECT pg_stat_force_next_flush(); SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = @db", connection);
    command.Parameters.AddWithValue("db", new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!);
    await using var reader = await command.ExecuteReaderAsync();
    await reader.NextResultAsync();
    await reader.ReadAsync();
    return (reader.GetInt64(0), reader.GetInt64(1));
}

async Task<double> PgbenchAsync(string connectionString, int clients)
{
    var b = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
    var environment = new Dictionary<string, string> { ["PGHOST"] = b.Host!, ["PGPORT"] = b.Port.ToString(CultureInfo.InvariantCulture), ["PGUSER"] = b.Username!, ["PGPASSWORD"] = b.Password ?? string.Empty };
    await using (var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString))
    {
        await connection.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand("DROP DATABASE IF EXISTS pgbench_ref", connection);
        await drop.ExecuteNonQueryAsync();
        await using var create = new Npgsql.NpgsqlCommand("CREATE DATABASE pgbench_ref", connection);
        await create.ExecuteNonQueryAsync();
    }

    await RunAsync(options.Pgbench, ["-i", "-q", "-s", "10", "pgbench_ref"], environment);
    var output = await RunAsync(options.Pgbench, ["-b", "tpcb-like", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", options.Seconds.ToString(CultureInfo.InvariantCulture), "pgbench_ref"], environment);
    var line = output.Split('\n').First(l => l.StartsWith("tps = ", StringComparison.Ordinal));
    Console.WriteLine("pgbench: " + line);
    return double.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture);
}

async Task<string> RunAsync(string file, string[] arguments, Dictionary<string, string> environment)
{
    var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments)
    {
        start.ArgumentList.Add(a);
    }

    foreach (var (k, v) in environment)
    {
        start.Environment[k] = v;
    }

    using var process = Process.Start(start)!;
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} failed: {await stderr}");
    }

    return await stdout;
}

// 5: list latencies with 10, 10,000 and 100,000 rows per list, first page and a page 90% deep;
// organization-scoped calls on an organization with that many members; an account in that many organizations.
// On SQLite, then on PostgreSQL when a server was given.
async Task GrowthAsync()
{
    await GrowthOnAsync(rows => Task.FromResult<GrowthStore>(new SqliteGrowthStore(Path.Combine(Directory.CreateDirectory(Path.Combine(work, $"growth-{rows}")).FullName, "hosting.db"))));
    if (options.Postgres is not null)
    {
        await GrowthOnAsync(async rows =>
        {
            var store = new PostgresGrowthStore(new Npgsql.NpgsqlConnectionStringBuilder(options.Postgres) { Database = $"{PostgresGrowthStore.DatabasePrefix}{rows}" }.ConnectionString);
            await store.DropAsync();
            return store;
        });
    }
    else
    {
        report.Note("5 (PostgreSQL)", "not run: no --postgres server was given.");
    }
}

async Task GrowthOnAsync(Func<int, Task<GrowthStore>> storeOfSize)
{
    const string supportKey = "bench-support-key-0123456789abcdef0123456789";
    var sizes = new List<(int Rows, string[] Settings, Func<GrpcChannel, (string List, string Page, Func<Task> Call)[]> Cases, Func<GrpcChannel, Task<(string List, int Count)[]>> Served)>();
    var storeName = string.Empty;
    foreach (var rows in options.GrowthRows)
    {
        var database = await storeOfSize(rows);
        storeName = database.Name;
        string[] settings = [.. database.HostSettings, "--ApiKeys:Keys:0:Name=bench", $"--ApiKeys:Keys:0:Key={supportKey}", "--ApiKeys:Keys:0:Scopes:0=support"];
        // Three customers, so that each list is measured on its own: one whose members grow, one
        // whose other lists grow, one whose account belongs to ever more organizations.
        Customer[] customers;
        var mailService = string.Empty;
        await using (var host = await HostProcess.StartAsync(options.Repo, settings))
        {
            var setup = Load.Channels(host.Address, 1)[0];
            customers = await Customers.CreateAsync(host, setup, $"growth{rows}", 3);
            await Customers.TopUpAsync(setup, customers, 100_000);
            foreach (var c in customers)
            {
                await Customers.CheckoutAsync(new BillingService.BillingServiceClient(setup), c, "first");
            }

            // One row of each further list, written by the host: the seeder copies it.
            var (grower, invitee) = (customers[1], customers[2]);
            await new WalletService.WalletServiceClient(setup).CreateWithdrawalAsync(new CreateWithdrawalRequest
            {
                Parent = grower.Organization, Amount = new Hosting.Wallets.V1.Money { Minor = 100, Currency = "CHF" }, Iban = "CH9300762011623852957", RequestId = "grow-w",
            }, grower.Bearer);
            await new OrganizationsService.OrganizationsServiceClient(setup).CreateInvitationAsync(new CreateInvitationRequest { Parent = grower.Organization, Email = invitee.Login }, grower.Bearer);
            var mailboxes = new Hosting.Mailboxes.V1.MailboxesService.MailboxesServiceClient(setup);
            await mailboxes.CreateProductCredentialAsync(new Hosting.Mailboxes.V1.CreateProductCredentialRequest
            {
                Parent = grower.Product, Kind = Hosting.Mailboxes.V1.CredentialKind.Ftp, Username = "upload", Password = "ftp secret words 1",
            }, grower.Bearer);

            // A mail service ordered into the organization and paid from its wallet, with one mailbox in the owner's webmail.
            var domain = $"growth{rows}-mail.ch";
            var order = await new BillingService.BillingServiceClient(setup).ConfirmOrderAsync(new ConfirmOrderRequest
            {
                Parent = grower.Organization, PaymentMethod = "wallet", RequestId = "grow-mail",
                Lines = { new CartLine { ProductType = (int)Hosting.Organizations.V1.ProductType.MailService, DisplayName = domain, PeriodMonths = 12 } },
            }, grower.Bearer);
            mailService = order.Invoice.Lines.Single().Product;
            await mailboxes.CreateMailboxAsync(new Hosting.Mailboxes.V1.CreateMailboxRequest { Parent = mailService, LocalPart = "info", Password = "mailbox secret words 1" }, grower.Bearer);
            await mailboxes.LinkWebmailAsync(new Hosting.Mailboxes.V1.LinkWebmailRequest { Address = "info@" + domain }, grower.Bearer);
        }

        var (withMembers, customer, inMany) = (customers[0], customers[1], customers[2]);
        var seeding = Stopwatch.StartNew();
        await GrowthSeeder.SeedAsync(database, withMembers, rows, GrowthSeeder.Lists.Members);
        await GrowthSeeder.SeedAsync(database, inMany, rows, GrowthSeeder.Lists.Organizations);
        await GrowthSeeder.SeedAsync(database, customer, rows, GrowthSeeder.Lists.Billing);
        await GrowthSeeder.SeedAsync(database, customer, rows, GrowthSeeder.Lists.Mailboxes);
        Console.WriteLine($"{database.Name}: seeded {rows} rows per list in {seeding.Elapsed.TotalSeconds:F1} s");
        var n = rows - 1;
        var deepDescending = Math.Max(1, (int)(n * 0.9));
        var deepAscending = Math.Max(1, n / 10);
        Task<string> Deep(string table, string time, string id, string tag, int i) => GrowthSeeder.TokenAsync(database, table, time, id, GrowthSeeder.SeededId(tag, i));
        var memberToken = await Deep("Memberships", "JoinedAt", "AccountId", "A1", deepAscending);
        var invoiceToken = await Deep("Invoices", "IssuedAt", "Id", "C3", deepDescending);
        var ledgerToken = await Deep("LedgerTransactions", "At", "Id", "D4", deepDescending);
        var productToken = await Deep("Products", "CreatedAt", "Id", "B2", deepAscending);
        // To pay lists the products awaiting payment first, by id (the seeded ids ascend with i).
        var toPayToken = GrowthSeeder.Token(0, GrowthSeeder.SeededId("B2", deepDescending));
        var withdrawalToken = await Deep("Withdrawals", "RequestedAt", "Id", "E5", deepAscending);
        var invitationToken = await Deep("Invitations", "CreatedAt", "Id", "F6", deepAscending);
        var inviteeToken = await Deep("Invitations", "CreatedAt", "Id", "FC", deepAscending);
        var credentialToken = await Deep("ProductCredentials", "CreatedAt", "Id", "A7", deepAscending);
        var sessionToken = await Deep("Sessions", "CreatedAt", "Id", "B8", deepDescending);
        var activityToken = await Deep("ActivityEntries", "At", "Id", "C9", deepDescending);
        var parkedToken = await Deep("Outbox", "CreatedAt", "Id", "DA", deepAscending);
        var organizationToken = await Deep("Memberships", "OrganizationCreatedAt", "OrganizationId", "EB", deepAscending);
        var mailboxToken = await Deep("Mailboxes", "CreatedAt", "Id", "AE", deepAscending);
        var webmailToken = await Deep("WebmailLinks", "LinkedAt", "MailboxId", "AE", deepAscending);

        (string List, string Page, Func<Task> Call)[] Cases(GrpcChannel channel)
        {
            var organizations = new OrganizationsService.OrganizationsServiceClient(channel);
            var accounts = new AccountsService.AccountsServiceClient(channel);
            var billing = new BillingService.BillingServiceClient(channel);
            var support = new SupportService.SupportServiceClient(channel);
            var wallet = new WalletService.WalletServiceClient(channel);
            var mailboxes = new Hosting.Mailboxes.V1.MailboxesService.MailboxesServiceClient(channel);
            var parent = customer.Organization;
            var bearer = customer.Bearer;
            var key = new Metadata { { "x-api-key", supportKey } };
            var member = $"{withMembers.Organization}/members/{Guid.Parse(GrowthSeeder.SeededId("A1", 1))}";
            var billingRight = false;
            var invited = 0;
            var cases = new (string List, string Page, Func<Task> Call)[]
            {
                ("members", "first", () => organizations.ListMembersAsync(new ListMembersRequest { Parent = withMembers.Organization }, withMembers.Bearer).ResponseAsync),
                ("members", "deep", () => organizations.ListMembersAsync(new ListMembersRequest { Parent = withMembers.Organization, PageToken = memberToken }, withMembers.Bearer).ResponseAsync),
                ("GetOrganization, on an organization with as many members", "", () => organizations.GetOrganizationAsync(new GetOrganizationRequest { Name = withMembers.Organization }, withMembers.Bearer).ResponseAsync),
                ("UpdateMember, on an organization with as many members", "", () =>
                {
                    billingRight = !billingRight;
                    return organizations.UpdateMemberAsync(new UpdateMemberRequest
                    {
                        Member = new Member { Name = member, Rights = new MemberRights { Billing = billingRight } },
                        UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "rights.billing" } },
                    }, withMembers.Bearer).ResponseAsync;
                }),
                ("CreateInvitation, on an organization with as many members", "", () => organizations.CreateInvitationAsync(new CreateInvitationRequest
                {
                    Parent = withMembers.Organization, Email = $"invitee-{rows}-{Interlocked.Increment(ref invited)}@bench.example",
                }, withMembers.Bearer).ResponseAsync),
                ("ListToPay, on an organization with as many members", "", () => billing.ListToPayAsync(new ListToPayRequest { Parent = withMembers.Organization }, withMembers.Bearer).ResponseAsync),
                ("organizations of an account", "first", () => organizations.ListOrganizationsAsync(new ListOrganizationsRequest(), inMany.Bearer).ResponseAsync),
                ("organizations of an account", "deep", () => organizations.ListOrganizationsAsync(new ListOrganizationsRequest { PageToken = organizationToken }, inMany.Bearer).ResponseAsync),
                ("SwitchOrganization, for an account in as many organizations", "", () => organizations.SwitchOrganizationAsync(new SwitchOrganizationRequest { Name = inMany.Organization }, inMany.Bearer).ResponseAsync),
                ("invitations of an organization", "first", () => organizations.ListInvitationsAsync(new ListInvitationsRequest { Parent = parent }, bearer).ResponseAsync),
                ("invitations of an organization", "deep", () => organizations.ListInvitationsAsync(new ListInvitationsRequest { Parent = parent, PageToken = invitationToken }, bearer).ResponseAsync),
                ("invitations of the invitee", "first", () => organizations.ListMyInvitationsAsync(new ListMyInvitationsRequest(), inMany.Bearer).ResponseAsync),
                ("invitations of the invitee", "deep", () => organizations.ListMyInvitationsAsync(new ListMyInvitationsRequest { PageToken = inviteeToken }, inMany.Bearer).ResponseAsync),
                ("products", "first", () => organizations.ListProductsAsync(new ListProductsRequest { Parent = parent }, bearer).ResponseAsync),
                ("products", "deep", () => organizations.ListProductsAsync(new ListProductsRequest { Parent = parent, PageToken = productToken }, bearer).ResponseAsync),
                ("to pay", "first", () => billing.ListToPayAsync(new ListToPayRequest { Parent = parent }, bearer).ResponseAsync),
                ("to pay", "deep", () => billing.ListToPayAsync(new ListToPayRequest { Parent = parent, PageToken = toPayToken }, bearer).ResponseAsync),
                ("product credentials", "first", () => mailboxes.ListProductCredentialsAsync(new Hosting.Mailboxes.V1.ListProductCredentialsRequest { Parent = customer.Product }, bearer).ResponseAsync),
                ("product credentials", "deep", () => mailboxes.ListProductCredentialsAsync(new Hosting.Mailboxes.V1.ListProductCredentialsRequest { Parent = customer.Product, PageToken = credentialToken }, bearer).ResponseAsync),
                ("mailboxes", "first", () => mailboxes.ListMailboxesAsync(new Hosting.Mailboxes.V1.ListMailboxesRequest { Parent = mailService }, bearer).ResponseAsync),
                ("mailboxes", "deep", () => mailboxes.ListMailboxesAsync(new Hosting.Mailboxes.V1.ListMailboxesRequest { Parent = mailService, PageToken = mailboxToken }, bearer).ResponseAsync),
                ("webmail", "first", () => mailboxes.ListWebmailMailboxesAsync(new Hosting.Mailboxes.V1.ListWebmailMailboxesRequest(), bearer).ResponseAsync),
                ("webmail", "deep", () => mailboxes.ListWebmailMailboxesAsync(new Hosting.Mailboxes.V1.ListWebmailMailboxesRequest { PageToken = webmailToken }, bearer).ResponseAsync),
                ("invoices", "first", () => billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = parent }, bearer).ResponseAsync),
                ("invoices", "deep", () => billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = parent, PageToken = invoiceToken }, bearer).ResponseAsync),
                ("ledger", "first", () => wallet.ListLedgerTransactionsAsync(new ListLedgerTransactionsRequest { Parent = parent + "/wallets/CHF" }, bearer).ResponseAsync),
                ("ledger", "deep", () => wallet.ListLedgerTransactionsAsync(new ListLedgerTransactionsRequest { Parent = parent + "/wallets/CHF", PageToken = ledgerToken }, bearer).ResponseAsync),
                ("withdrawals", "first", () => wallet.ListWithdrawalsAsync(new ListWithdrawalsRequest { Parent = parent }, bearer).ResponseAsync),
                ("withdrawals", "deep", () => wallet.ListWithdrawalsAsync(new ListWithdrawalsRequest { Parent = parent, PageToken = withdrawalToken }, bearer).ResponseAsync),
                ("sessions", "first", () => accounts.ListSessionsAsync(new ListSessionsRequest(), bearer).ResponseAsync),
                ("sessions", "deep", () => accounts.ListSessionsAsync(new ListSessionsRequest { PageToken = sessionToken }, bearer).ResponseAsync),
                ("activity", "first", () => accounts.ListActivityAsync(new ListActivityRequest(), bearer).ResponseAsync),
                ("activity", "deep", () => accounts.ListActivityAsync(new ListActivityRequest { PageToken = activityToken }, bearer).ResponseAsync),
                ("parked notifications", "first", () => support.ListParkedNotificationsAsync(new ListParkedNotificationsRequest(), key).ResponseAsync),
                ("parked notifications", "deep", () => support.ListParkedNotificationsAsync(new ListParkedNotificationsRequest { PageToken = parkedToken }, key).ResponseAsync),
            };
            return cases;
        }

        async Task<(string List, int Count)[]> Served(GrpcChannel channel)
        {
            var mailboxes = new Hosting.Mailboxes.V1.MailboxesService.MailboxesServiceClient(channel);
            var organizations = new OrganizationsService.OrganizationsServiceClient(channel);
            return
            [
                ("members", (await organizations.ListMembersAsync(new ListMembersRequest { Parent = withMembers.Organization }, withMembers.Bearer)).Members.Count),
                ("organizations", (await organizations.ListOrganizationsAsync(new ListOrganizationsRequest(), inMany.Bearer)).Organizations.Count),
                ("invoices", (await new BillingService.BillingServiceClient(channel).ListInvoicesAsync(new ListInvoicesRequest { Parent = customer.Organization }, customer.Bearer)).Invoices.Count),
                ("mailboxes", (await mailboxes.ListMailboxesAsync(new Hosting.Mailboxes.V1.ListMailboxesRequest { Parent = mailService }, customer.Bearer)).Mailboxes.Count),
                ("webmail", (await mailboxes.ListWebmailMailboxesAsync(new Hosting.Mailboxes.V1.ListWebmailMailboxesRequest(), customer.Bearer)).Mailboxes.Count),
            ];
        }

        sizes.Add((rows, settings, Cases, Served));
    }

    // Every size's host runs at once and the calls take turns between them, so that the load of a
    // shared machine weighs on each size alike and the ratios compare like with like.
    var hosts = new List<HostProcess>();
    try
    {
        foreach (var size in sizes)
        {
            hosts.Add(await HostProcess.StartAsync(options.Repo, size.Settings));
        }

        var cases = sizes.Select((size, i) => size.Cases(Load.Channels(hosts[i].Address, 1)[0])).ToArray();
        // The seeded rows are ones the host serves: each list's first page is as full as its size allows.
        for (var i = 0; i < sizes.Count; i++)
        {
            var pages = await sizes[i].Served(Load.Channels(hosts[i].Address, 1)[0]);
            Console.WriteLine($"{storeName}, {sizes[i].Rows} rows: first pages {string.Join(", ", pages.Select(p => $"{p.List} {p.Count}"))}");
            if (pages.Where(p => p.Count < Math.Min(sizes[i].Rows, 50)).Select(p => p.List).ToList() is { Count: > 0 } shortPages)
            {
                report.Note($"Growth on {storeName} with {sizes[i].Rows:N0} rows", $"first pages shorter than seeded: {string.Join(", ", shortPages)}.");
            }
        }
        for (var c = 0; c < cases[0].Length; c++)
        {
            var (list, page, _) = cases[0][c];
            if (options.GrowthLists.Length > 0 && !options.GrowthLists.Any(l => list.StartsWith(l, StringComparison.Ordinal)))
            {
                continue;
            }

            var results = await Load.InterleavedAsync(sizes.Select(size => $"{list} {page} page, {size.Rows} rows").ToArray(), 60, cases.Select(sized => sized[c].Call).ToArray());
            for (var i = 0; i < sizes.Count; i++)
            {
                report.Growth(storeName, list, page, sizes[i].Rows, results[i]);
            }
        }

        for (var i = 0; i < sizes.Count; i++)
        {
            if (hosts[i].FirstLoggedException() is { } exception)
            {
                report.Note($"Host error logged during the growth calls on {storeName} with {sizes[i].Rows:N0} rows", exception);
            }
        }
    }
    finally
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }
    }
}

/// <summary>Command-line options.</summary>
internal sealed record Options(string Repo, string Hashing, string Out, string? Postgres, string Pgbench, int Seconds, int[] GrowthRows, string[] Only, string[] GrowthLists)
{
    public static Options Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var repo = Path.GetFullPath(Get("--repo", "."));
        return new Options(
            repo,
            Path.GetFullPath(Get("--hashing", Path.Combine(repo, "artifacts/bench/hashing.json"))),
            Path.GetFullPath(Get("--out", Path.Combine(repo, "docs"))),
            Get("--postgres", string.Empty) is { Length: > 0 } pg ? pg : null,
            Get("--pgbench", "/usr/lib/postgresql/15/bin/pgbench"),
            int.Parse(Get("--seconds", "10"), CultureInfo.InvariantCulture),
            Get("--growth", "10,10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            Get("--only", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries),
            // --lists "members,to pay": only the growth cases whose list starts with one of these.
            Get("--lists", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries));
    }
}
