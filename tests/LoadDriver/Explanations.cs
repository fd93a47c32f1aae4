namespace Hosting.LoadDriver;

/// <summary>The report's fixed text: why a goal is missed and what would reach it, and the method.</summary>
internal static class Explanations
{
    public static string Why(string id) => id switch
    {
        "1a" or "1d" => "Against the `argon2` command, the goal's reference, both are within 2x (rows 1a and 1d). The primed rows set them against "
            + "Debian's libargon2 called in process, which runs several times faster than the `argon2` command here (that command does not link "
            + "the shared library; a long-lived process may also keep the work area's pages mapped between calls). Isopoh is managed code without "
            + "SIMD in its block function and cannot come within 2x of that library; libsodium (native, SIMD) comes closer and is now the default "
            + "where it loads. Why libsodium trails the in-process library here was not established.",
        "1b" => "Isopoh allocates about 2 KiB of short-lived memory for every block it fills, on top of the m KiB work area: measured apart from "
            + "this run, about 60 MiB per hash at t=1, 100 MiB at t=2 and 179 MiB at t=4 for m = 19 MiB, i.e. about 40 MiB per pass. That is in its "
            + "fill loop and no setting changes it: a SecureArrayCall that does not lock memory left it at 99.6 MiB per hash, and "
            + "ClearPassword/ClearSecret and Threads only concern the inputs and the lanes. Reaching 1.5x needs a hasher that fills blocks in "
            + "place: the libsodium hasher (1e, the default) allocates the m KiB work area once, natively.",
        "2a" or "2b" => "The limit of the goal (cores / time per hash) assumes both cores free for the host's hashing; the load driver runs on "
            + "the same 2 cores (8 gRPC clients), so the host's two hashing threads get only part of them. The primed row sets the same "
            + "sign-in figure against two threads hashing in the load driver just before, which is what this machine gave at that moment, and "
            + "meets it. The profile of 2b (`tests/LoadDriver/profile.sh signin`, 2026-11-30) shows the host's managed CPU is a small share "
            + "beside the native hashing (about 4 s sampled in 20 s, against about 1.5 cores hashing at 90 sign-ins/s x 17 ms): EF Core 40 % of "
            + "it (query execution 23 %, the save of the session and activity entry 15 %), Microsoft.Data.Sqlite 17 %, our code 15 %, ASP.NET "
            + "Core and the container 14 %; its query translation fell from 29 % to under 1 % once the sign-in's lookups were compiled. Today's "
            + "runs gave 0.75 to 0.86 as the driver's share of the cores came and went. What would reach 85 % every time: the driver on other "
            + "cores than the host's (a second machine), as no host-side work is left that weighs against the hashing.",
        "2c" => "The host queues hashes behind a gate of one slot per core, so memory grows with the 1,000 queued calls' buffers, not with hashes; "
            + "Isopoh's per-hash garbage (about 5x m) is what raises the peak; the libsodium hasher (now the default) or a lower gate lowers it.",
        "3" => "GetOrganization authenticates the session (one compiled statement: the session joined with its account's login state), reads "
            + "the organization with the caller's membership (one compiled statement) and whether it is the caller's current one (one compiled "
            + "column read), then maps the answer; the echo does none of that. At 32 clients both are CPU-bound on the host's 2 cores, so the "
            + "ratio is the echo's CPU per call over the read's. The profile (`tests/LoadDriver/profile.sh read`, 2026-11-30) showed SQLite "
            + "preparing each statement anew as 31 % of the host's CPU (Microsoft.Data.Sqlite drops a command's statements with it, "
            + "dotnet/efcore#14044) and the connections' opening and closing 7 %: the host's SQLite contexts now run on pooled open connections "
            + "that keep their prepared statements (`SqliteConnectionPool`), which took this row from 0.53 to about 0.97 in the runs since.",
        "4a" => "The SQLite write transaction is begun IMMEDIATE with the process's writers queued in order (no busy sleeps, no retries), "
            + "the invoice number is its first statement (on SQLite the write lock is held from BEGIN anyway, so the invoice and its events are "
            + "written once, numbered), and each row is read once. The reference replays the 20 statements the host sends (`HostSql.cs`: 8 "
            + "reads, the number, 4 events, the idempotency record, the invoice, the ledger transaction and 2 entries, the product, the wallet), "
            + "the reads before its write transaction as the host's, each statement prepared anew as Microsoft.Data.Sqlite does for a new "
            + "command. The host keeps its statements prepared on pooled open connections (`SqliteConnectionPool`, since 2026-11-30: 0.34 "
            + "to 0.46 over the day's runs, which spread widely on this shared machine, against 0.28 and 0.35 before it). Its profile since (`tests/LoadDriver/profile.sh`, 2026-11-30): EF Core 35 % of the host's CPU (its update pipeline "
            + "34 % and query execution 21 % of all CPU, with the layers below them; translation, change detection and tracking under 3 % each), "
            + "SQLite executing the statements 36 % (statement preparation under 1 %), the runtime 9 %, ASP.NET Core and the container 10 %, our "
            + "code 7 %; a quarter of the samples wait at GC polls, so allocation per call is a cost of its own. What would reach 50 %: the "
            + "payment's writes (ledger transaction and entries, invoice, events, idempotency record) as a handful of prepared statements "
            + "instead of EF's change tracker and update pipeline, which is what the raw reference runs.",
        "4d" => "A confirmation is 12 statements (the caller's 2 reads, the request id, catalogue, vouchers and charge-attempt reads, the "
            + "number, 2 events, the idempotency record, the invoice, the product) in one save: the number is taken first on SQLite, so no "
            + "second save renumbers the event (0.30 to 0.37), and the statements stay prepared on the pooled connections (0.38 to 0.42 in the runs since). "
            + "The profile (`tests/LoadDriver/profile.sh orders`, 2026-11-30, after both): EF Core 31 % of the host's CPU (update pipeline "
            + "23 %, query execution 18 % of all CPU), SQLite executing the statements 30 % (preparation 1 %), the runtime 11 %, ASP.NET Core "
            + "and the container 15 %, our code 8 %; a quarter of the samples wait at GC polls. What would reach 50 %: as for 4a, the writes as "
            + "prepared statements outside the change tracker.",
        "4e" => "Close to the goal (0.39 to 0.47 over the day's runs): 17 statements (the caller's 2 reads, the request id, invoice, charge attempt, wallet and the "
            + "invoice's products, 3 events, the idempotency record, the invoice paid, the ledger transaction and 2 entries, the product "
            + "activated, the wallet) in one save, no number to take. Reading the invoice's products walked every product of the "
            + "organization on SQLite until it read through the invoice's index (`KeysetPlanTests`); the rest is the CPU split of 4a and 4d, "
            + "and what would reach 50 % is theirs.",
        "4f" or "4g" => "As for 4b: pgbench's tpcb-like is 7 statements with no client-side work; a confirmation is 14 statements and a "
            + "payment 17, behind gRPC, authentication and EF Core on the same 2 cores as the server. The order path rolled no transaction "
            + "back (each client pays its own customer's invoices), so what separates it from pgbench is the host's CPU per call, spent as "
            + "4b's profile shows (Npgsql's round trips, EF Core, the runtime); what would close the gap is what 4a and 4b need.",
        "4b" => "No sequence conflicts remain (the number is taken last, under a row lock held only until the commit); the rolled-back "
            + "transactions counted above are wallet version conflicts of two payments meeting on one of the 64 wallets. The gap to pgbench "
            + "(7 statements, no client-side work) is the host's CPU per payment on the 2 cores it shares with the server. The profile "
            + "(`PROFILE_POSTGRES=... tests/LoadDriver/profile.sh postgres`, 2026-11-30, 64 wallets): Npgsql 31 % of the host's CPU, EF "
            + "Core 29 % (query execution 32 % and the update pipeline 15 % of all CPU, with the layers below them), the runtime (GC, thread "
            + "pool) 25 %, our code 8 %, ASP.NET Core and gRPC under 5 %: each of the checkout's 8 reads is its own round trip and its own "
            + "implicit transaction, then the writes in a few round trips (the save, the number, the events renumbered in one statement). What would reach 50 %: the reads of a payment in one round trip and its "
            + "writes as prepared statements off EF's change tracker, as for 4a. Npgsql auto-prepare (Max Auto Prepare=32) and No Reset On "
            + "Close were measured without a clear gain in this noise and are not set.",
        "4c" => "Hot wallets add wallet version conflicts (rolled back and retried); a wallet debit as "
            + "`UPDATE ... SET \"Balance\" = \"Balance\" - @amount WHERE \"Balance\" >= @amount` would remove them.",
        "5" => "The lists that can miss are those whose page grows with the list: with 10 rows the first page holds 10 rows and the page "
            + "past the 90% token 1; with 10,000 and 100,000 rows both hold 50 (the default size), so the 10-row reference reads a fifth or a "
            + "fiftieth of the rows. The store's reads are seeks at every size (`KeysetPlanTests`; `EXPLAIN QUERY PLAN` on the 100,000-row "
            + "database: members `SEARCH m USING INDEX IX_Memberships_OrganizationId_JoinedAt_AccountId (OrganizationId=? AND JoinedAt>?)`, "
            + "to pay `SEARCH p USING INDEX IX_Products_OrganizationId_Status_RenewalDate_Id`), and the step between full pages, 10,000 to "
            + "100,000 rows (the middle figure of each row), is the growth that remains. Members: each member on a page has its login read from "
            + "Accounts by key (50 lookups against 10 or 1). To pay: each due product is priced, and the first page also lists the unpaid "
            + "invoices. What would reach the goal as stated: pages of the same length compared (a page size the 10-row list fills), or the "
            + "login kept on the membership row so that a page of members is one index range. The organization-scoped calls read the "
            + "organization and the caller's membership by key at any size "
            + "(`KeysetPlanTests.AnOrganizationScopedCallsReads_AreKeyLookups_NeverAScanOfTheMembers`); a miss there is the machine's load."
            + " UpdateMember on SQLite (3.81x here, 1.49x in the run of 20:41, 1.07x on PostgreSQL in this run) reads the same two key lookups "
            + "(the organization, the caller's and the member's rows, `KeysetPlanTests`) and writes one membership row, the organization's "
            + "version and an event; what grows is the commit of a 600 MB file under `synchronous=FULL`, with its WAL checkpoints, not a "
            + "read. Measuring it with the checkpoints apart (or `synchronous=NORMAL`, which the product does not choose) is what would show it.",
        "5p" => "As for 5: pages of 50 rows set against pages of 10 or 1, on the same indexes as SQLite's (`KeysetPlanTests` checks "
            + "SQLite's plans; PostgreSQL's were read with `EXPLAIN ANALYZE`). On PostgreSQL the parked notifications' first page sorted every parked message (`EXPLAIN ANALYZE` at "
            + "100,000: a parallel sequential scan and a top-N sort, 58 ms) until its order led with the index's first column (`SentAt`, null "
            + "throughout); it is now an index scan that stops at the page (0.8 ms).",
        _ => "see the Method section.",
    };

    public const string Method = """
## Method

- **One command**: `dotnet tool restore && dotnet cake --target=Bench` builds Release, installs Debian's `argon2` and `postgresql` if missing,
  starts a throwaway PostgreSQL cluster on 127.0.0.1, runs `tests/Benchmarks` (BenchmarkDotNet, in process) and then `tests/LoadDriver`,
  which starts the host from its Release build as its own processes (with `--RateLimiting:Enabled=false`, renewals off), drives it and
  writes this file and `performance.json`. It is not part of `.ci/run`. Nothing is timed in the test suite.
- **Noise**: the machine has 2 cores and other builds run beside it. Each figure is set against a reference measured in the same run,
  just before or after it (hashing: interleaved round by round), and the table's verdicts use the ratios.
- **1. Hashing**: Argon2id at the host's default parameters (m = 19,456 KiB, t = 2, p = 1, 16-byte salt, 32-byte hash). The time per hash is
  the median of 13 interleaved rounds (Isopoh, libsodium, libargon2, `argon2` command in turn); the `argon2` command's figure is the time it
  prints for the hash alone (process start-up not counted). The in-process libargon2 (`argon2id_hash_raw` from Debian's libargon2.so.1)
  is a stricter reference shown on the primed rows. Bytes allocated per hash come from BenchmarkDotNet's MemoryDiagnoser (managed heap).
  **Isopoh settings**: the product keeps Isopoh's defaults. Its 5x allocation grows with passes (about 40 MiB per pass at m = 19 MiB), so
  it is made in the block fill loop, not by its SecureArray work area: replacing `SecureArrayCall` by a call that does not lock memory
  left it at 99.6 MiB per hash, and the other options (ClearPassword, ClearSecret, Threads) do not touch that loop; no configuration avoids it. **libsodium, the default**: `PasswordHashing:Implementation=Auto` (the default) selects
  `SodiumArgon2idPasswordHasher` (NSec.Cryptography 26.4.0, which ships libsodium natively; Geralt 4.5.0 would do as well, NSec was
  chosen for its typed Argon2id parameters). It writes the same PHC strings (`$argon2id$v=19$m=..,t=..,p=1$salt$hash`, unpadded Base64) and hands hashes with
  p ≠ 1 or an unusual salt to Isopoh; `PasswordHasherCrossVerificationTests` proves each verifies the other's hashes and the reference's.
  wherever libsodium loads and p = 1; `Isopoh` forces the managed one (rows 1a, 1b, 2a). The password is hashed as its UTF-8 bytes (NSec's string overload does not give the same bytes).
- **2. Sign-in**: 16 accounts made through the API, then 8 clients on 2 HTTP/2 channels sign in with correct passwords for the duration
  after a 3 s warm-up. The limit is cores / (median time per hash of the same run); the primed row uses instead the rate of one hashing
  thread per core measured in the load driver for 6 s just before (the same hasher class the host uses). The burst sends 1,000 sign-ins at once over 10 channels;
  peak RSS is the host's VmHWM from /proc/PID/status (and a 100 ms RSS sampler); the bound is 512 MiB for a 2-core host.
  The default host is libsodium's (2b, with the burst and the read); the Isopoh host (2a) is a second host process on its own database,
  started with `--PasswordHashing:Implementation=Isopoh`. A run of some scenarios (`--only signin,isopoh,wallet,postgres`) keeps the
  other rows of the previous report, marked with their run's date.
- **3. Read**: `GetOrganization` (the organization with the caller's membership) with a session, 32 clients on 4 channels, against
  `grpc.health.v1.Health/Check` on the same host, same channels and clients, one after the other.
- **4. Wallet payment**: a `Checkout` of the customer's product paid from its wallet (authorization, idempotency record, invoice with the
  gapless number, ledger transaction and entries, product renewal), each client on its own customer, 8 clients. The SQLite reference
  replays the host's own statements for one checkout (captured from EF Core's command log into `HostSql.cs`: run the load driver with
  `HOSTING_BENCH_HOST_SETTINGS=--Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command=Information` and read the hosts' logs
  under `artifacts/bench/hosts`; the invoice number taken first in the write transaction, as the host does on SQLite) with the customers' real rows
  through raw Microsoft.Data.Sqlite, the reads first and the writes in one IMMEDIATE transaction as the host's, 8 clients, on the same database file after the host stopped. On PostgreSQL the
  reference is `pgbench -b tpcb-like` at the same client count (scale 10) on the same cluster; the hot case picks among 10 of the 64 wallets.
- **4d-4g. The order path**: 8 customers, one per client, confirm orders of one web hosting paid by bank transfer (`ConfirmOrder`:
  authorization, idempotency record, the unpaid final invoice with its gapless number, a pending product, two events) for the duration,
  then pay those invoices from the wallet in "to pay", oldest first (`PayInvoice`: the invoice paid, ledger transaction and entries, its
  product active, three events). The payments' warm-up uses up invoices too, so confirmations go on, unmeasured, until each customer has
  about four times what the measured run made (and more, with the payments run again, if a run ran out). The SQLite reference replays
  the host's statements for each (`HostSql.cs`, `RawSqliteOrders.cs`) the same way, on the same database
  after the host stopped; on PostgreSQL the reference is the pgbench run of 4b, and the order path runs on the first 8 of its customers.
- **5. Growth** (5 on SQLite, 5p on PostgreSQL, the same scenario on each): three customers made through the API (each with one paid
  checkout; the second also requests a withdrawal, invites the third, creates a product credential, and orders a mail service into its
  organization, paid from its wallet, with one mailbox in its webmail), then, in SQL, copies of the rows the host wrote, to 10, 10,000 and 100,000 per list, each with
  its own id and an older time: the first customer's members (accounts and memberships); the third's organizations (organizations and its
  memberships); the second's due products, invoices, ledger transactions and entries, withdrawals, invitations (to as many addresses), product
  credentials, sessions, activity, mailboxes (each also in its webmail), and as many parked notifications; and as many invitations of the third from its organizations. The three
  databases are served by three hosts at once and every call takes turns between them (one warm-up round, then 60 rounds, one client), so
  a load that comes and goes on the shared machine falls on each size alike. The deep page starts from a token taken 90% into the list (the
  service's own token form: time and id). The organization-scoped calls (GetOrganization, UpdateMember toggling a member's billing right,
  CreateInvitation to a new address, ListToPay) run on the first customer's organization, ListOrganizations and SwitchOrganization for the
  third's account; their "rows" are members and organizations. Lists are read at the default page size (50): with 10 rows a page holds
  10 rows, or 1 past the deep token.
""";
}
