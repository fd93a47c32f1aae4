using System.Globalization;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Model;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;

namespace Hosting.Tests.EndToEnd;

/// <summary>
/// The crash campaign of the Torture target: for each seeded kill point, two clients stream one
/// kind of change (order confirmation, checkout, top-up, withdrawal execution, invitation
/// acceptance, account deletion, or invitations whose emails go through the outbox), the host is
/// killed (SIGKILL) after a seeded number of acknowledged changes, restarted on the same
/// database, and checked: ledger audit, invoice numbers without gaps, a legal representative in
/// the organization (ORG-6), and every acknowledged change present. CI runs the small
/// <see cref="CrashSafetyTestsBase"/> set; this campaign runs when <c>HOSTING_CRASH_POINTS</c> names
/// how many kill points to run.
/// </summary>
public abstract class CrashCampaignTestsBase
{
    public const string PointsVariable = "HOSTING_CRASH_POINTS";

    /// <summary>The first seed to run (1 unless set): <c>HOSTING_CRASH_FIRST=12 HOSTING_CRASH_POINTS=12</c> replays point 12 alone.</summary>
    public const string FirstVariable = "HOSTING_CRASH_FIRST";

    public static readonly string[] Kinds = ["order-confirmation", "checkout", "top-up", "withdrawal-execution", "invitation-acceptance", "account-deletion", "outbox"];

    private const string AuditKey = "campaign-audit-key-0123456789-abcdefgh";
    private const string OperatorKey = "campaign-payout-key-0123456789-abcdefg";

    protected abstract string Store { get; }

    /// <summary>Settings that put the host on this class's store, or null when it is not available here.</summary>
    protected abstract string[]? StoreSettings();

    [SkippableFact]
    [Trait("Rule", "WAL-2")]
    [Trait("Rule", "WAL-4")]
    [Trait("Rule", "BIL-5")]
    [Trait("Rule", "ORG-4")]
    [Trait("Rule", "ORG-6")]
    [Trait("Rule", "ACC-10")]
    public async Task HostKilledAtEverySeededPoint_LosesNoAcknowledgedChange_AndKeepsTheInvariants()
    {
        var points = int.TryParse(Environment.GetEnvironmentVariable(PointsVariable), out var n) && n > 0 ? n : 0;
        Skip.If(points == 0, $"The crash campaign runs in the Torture target: set {PointsVariable}.");
        Skip.If(StoreSettings() is null, $"PostgreSQL lane not configured: set {PostgresHostFactory.Variable}.");
        var failures = new List<string>();
        var first = int.TryParse(Environment.GetEnvironmentVariable(FirstVariable), out var f) && f > 0 ? f : 1;
        for (var seed = first; seed <= points; seed++)
        {
            var kind = Kinds[(seed - 1) % Kinds.Length];
            var (acknowledged, lost) = await RunPointAsync(seed, kind);
            ModelRuns.Record($"crash {Store} {seed} {kind} {acknowledged} {lost.Count}");
            failures.AddRange(lost.Select(l => $"seed {seed} ({kind}): {l}"));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task<(int Acknowledged, List<string> Lost)> RunPointAsync(int seed, string kind)
    {
        var data = Directory.CreateTempSubdirectory("hosting-campaign-").FullName;
        string[] settings = [.. StoreSettings()!, "--ApiKeys:Keys:0:Name=auditor", $"--ApiKeys:Keys:0:Key={AuditKey}", "--ApiKeys:Keys:0:Scopes:0=audit",
            "--ApiKeys:Keys:1:Name=payouts", $"--ApiKeys:Keys:1:Key={OperatorKey}", "--ApiKeys:Keys:1:Scopes:0=payouts"];
        var random = new Random(seed);
        var lost = new List<string>();
        try
        {
            var acknowledged = new List<Func<Checks, Task<string?>>>();
            Metadata owner;
            string organization;
            HashSet<string> invitedEmails = [];
            await using (var host = await HostProcess.StartAsync(data, settings))
            {
                var channel = host.Channel();
                var accounts = new AccountsService.AccountsServiceClient(channel);
                var organizations = new OrganizationsService.OrganizationsServiceClient(channel);
                var wallet = new WalletService.WalletServiceClient(channel);
                var billing = new BillingService.BillingServiceClient(channel);
                owner = await SignedUpAsync(host, accounts, $"owner-{seed}@example.com");
                organization = (await organizations.CreateOrganizationAsync(ModelRuns.NewOrganization(), owner)).Organization.Name;
                await wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(400_000), PaymentMethod = "sim-success", RequestId = "fund" }, owner);

                // What each kind needs before the clients start: people, members, withdrawals.
                var people = new List<(string Login, Metadata Auth)>();
                var withdrawals = new Queue<string>();
                if (kind is "invitation-acceptance" or "account-deletion")
                {
                    for (var i = 0; i < 8; i++)
                    {
                        var login = $"person-{seed}-{i}@example.com";
                        var auth = await SignedUpAsync(host, accounts, login);
                        var invitation = (await organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = login }, owner)).Invitation.Name;
                        if (kind == "account-deletion")
                        {
                            await organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation }, auth);
                        }

                        people.Add((login, auth));
                        withdrawals.Enqueue(invitation); // for acceptance: the invitation each person accepts
                    }
                }

                if (kind == "withdrawal-execution")
                {
                    for (var i = 0; i < 40; i++)
                    {
                        withdrawals.Enqueue((await wallet.CreateWithdrawalAsync(new CreateWithdrawalRequest { Parent = organization, Amount = Chf(1_000 + (i * 10)), Iban = "CH9300762011623852957", RequestId = $"w{i}" }, owner)).Withdrawal.Name);
                    }
                }

                var available = kind is "invitation-acceptance" or "account-deletion" ? people.Count : kind == "withdrawal-execution" ? withdrawals.Count : 200;
                var killAfter = random.Next(2, Math.Min(available - 1, 30));
                var payouts = new Metadata { { "x-api-key", OperatorKey } };
                var next = 0;
                var ended = new System.Collections.Concurrent.ConcurrentBag<string>();
                using var stop = new CancellationTokenSource();

                async Task<Func<Checks, Task<string?>>?> StepAsync(int client, int i)
                {
                    switch (kind)
                    {
                        case "order-confirmation":
                            var order = await billing.ConfirmOrderAsync(new ConfirmOrderRequest
                            {
                                Parent = organization, PaymentMethod = "wallet", RequestId = $"o{client}-{i}",
                                Lines = { new CartLine { ProductType = Shop.DomainName, DisplayName = $"crash-{seed}-{client}-{i}.ch", PeriodMonths = 12 } },
                            }, owner);
                            return c => c.PaidAsync(order.Invoice.Name);
                        case "checkout":
                            var invoice = await Shop.UnpaidInvoiceAsync(channel, organization, owner, $"b{client}-{i}");
                            var payment = (await wallet.PayFromWalletAsync(Shop.PayFromWallet(invoice, $"p{client}-{i}"), owner)).Transaction.Name;
                            return async c => await c.PaidAsync(invoice.Name) ?? await c.MovedAsync(payment);
                        case "top-up":
                            var topUp = (await wallet.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = Chf(1_000 + random.Next(1, 50)), PaymentMethod = "sim-success", RequestId = $"t{client}-{i}" }, owner)).Transaction.Name;
                            return c => c.MovedAsync(topUp);
                        case "withdrawal-execution":
                        {
                            string name;
                            lock (withdrawals)
                            {
                                if (!withdrawals.TryDequeue(out name!))
                                {
                                    return null;
                                }
                            }

                            await wallet.ExecuteWithdrawalAsync(new ExecuteWithdrawalRequest { Name = name }, payouts);
                            return c => c.ExecutedAsync(name);
                        }

                        case "invitation-acceptance":
                        case "account-deletion":
                        {
                            var index = Interlocked.Increment(ref next) - 1;
                            if (index >= people.Count)
                            {
                                return null;
                            }

                            // Each person's change is sent until it is answered, as a client does after ABORTED: a
                            // person skipped after losing a race to the other client would leave too few to kill after.
                            var (login, auth) = people[index];
                            if (kind == "account-deletion")
                            {
                                await UntilNotAbortedAsync(() => accounts.DeleteAccountAsync(new DeleteAccountRequest { CurrentPassword = Passwords.Good }, auth).ResponseAsync);
                                return c => c.GoneAsync(login);
                            }

                            await UntilNotAbortedAsync(() => organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = withdrawals.ElementAt(index) }, auth).ResponseAsync);
                            return c => c.MemberAsync(login);
                        }

                        default: // outbox: each acknowledged invitation's email must be delivered, after the restart if not before
                            var email = $"guest-{seed}-{client}-{i}@example.com";
                            await organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = email }, owner);
                            return c => c.MailedAsync(email);
                    }
                }

                var streams = Enumerable.Range(0, 2).Select(client => Task.Run(async () =>
                {
                    for (var i = 0; !stop.IsCancellationRequested; i++)
                    {
                        try
                        {
                            if (await StepAsync(client, i) is not { } check)
                            {
                                return;
                            }

                            lock (acknowledged)
                            {
                                acknowledged.Add(check);
                            }
                        }
                        catch (RpcException e) when (e.StatusCode == StatusCode.Aborted)
                        {
                            // Lost a race with the other client: the next change goes on.
                        }
                        catch (RpcException e)
                        {
                            // The host is gone, or refused the change: the failure says which, if it came too soon.
                            ended.Add($"client {client} after {i} calls: {e.StatusCode} {e.Status.Detail}");
                            return;
                        }
                    }
                })).ToArray();

                await host.KillAfterAsync(() => { lock (acknowledged) { return acknowledged.Count; } }, killAfter, streams, stop, () => $"changes (seed {seed}; {string.Join("; ", ended)})");
            }

            await using (var restarted = await HostProcess.StartAsync(data, settings))
            {
                var checks = new Checks(restarted, organization, owner);
                foreach (var check in acknowledged)
                {
                    if (await check(checks) is { } missing)
                    {
                        lost.Add(missing);
                    }
                }

                var wallet = new WalletService.WalletServiceClient(restarted.Channel());
                var audit = await wallet.AuditLedgerAsync(new AuditLedgerRequest(), new Metadata { { "x-api-key", AuditKey } });
                lost.AddRange(audit.Violations.Select(v => $"ledger audit: {v}"));
                lost.AddRange(await checks.InvoiceNumberGapsAsync());
                lost.AddRange(await checks.LegalRepresentativeAsync());
            }

            return (acknowledged.Count, lost);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<Metadata> SignedUpAsync(HostProcess host, AccountsService.AccountsServiceClient accounts, string login)
    {
        await accounts.SignUpAsync(new SignUpRequest { Login = login, Password = Passwords.Good });
        var auth = Bearer.Of((await accounts.SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good })).SessionToken);
        await host.ConfirmLoginAsync(login, auth);
        return auth;
    }

    private static async Task UntilNotAbortedAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Aborted && attempt < 20)
            {
            }
        }
    }

    private static Hosting.Wallets.V1.Money Chf(long minor) => new() { Minor = minor, Currency = "CHF" };

    /// <summary>What the restarted host must still show; each check names what is missing, or null.</summary>
    private sealed class Checks(HostProcess host, string organization, Metadata owner)
    {
        private readonly WalletService.WalletServiceClient _wallet = new(host.Channel());
        private readonly BillingService.BillingServiceClient _billing = new(host.Channel());
        private readonly OrganizationsService.OrganizationsServiceClient _organizations = new(host.Channel());
        private HashSet<string>? _moved;
        private List<Member>? _members;

        public async Task<string?> PaidAsync(string invoice)
        {
            try
            {
                var state = (await _billing.GetInvoiceAsync(new GetInvoiceRequest { Name = invoice }, owner)).Invoice.State;
                return state == Hosting.Billing.V1.InvoiceState.Paid ? null : $"invoice {invoice} is {state}, not paid";
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                return $"invoice {invoice} is missing";
            }
        }

        public async Task<string?> MovedAsync(string transaction)
        {
            _moved ??= await Ledger.TransactionNamesAsync(_wallet, organization, owner);
            return _moved.Contains(transaction) ? null : $"ledger transaction {transaction} is missing";
        }

        public async Task<string?> ExecutedAsync(string withdrawal)
        {
            var all = await _wallet.ListWithdrawalsAsync(new ListWithdrawalsRequest { Parent = organization, PageSize = 200 }, owner);
            return all.Withdrawals.SingleOrDefault(w => w.Name == withdrawal)?.State == WithdrawalState.Executed ? null : $"withdrawal {withdrawal} is not executed";
        }

        public async Task<string?> MemberAsync(string login) =>
            (await MembersAsync()).Any(m => m.Login == login) ? null : $"{login} is not a member";

        public async Task<string?> GoneAsync(string login)
        {
            if ((await MembersAsync()).Any(m => m.Login == login))
            {
                return $"deleted account {login} is still a member";
            }

            try
            {
                await new AccountsService.AccountsServiceClient(host.Channel()).SignInAsync(new SignInRequest { Login = login, Password = Passwords.Good });
                return $"deleted account {login} still signs in";
            }
            catch (RpcException)
            {
                return null;
            }
        }

        public async Task<string?> MailedAsync(string email)
        {
            // The dispatcher sends what the outbox holds after the restart too; a message claimed
            // just before the kill waits for its claim's lease (2 minutes) to end first.
            for (var wait = System.Diagnostics.Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromMinutes(3); await Task.Delay(100))
            {
                if (Directory.Exists(host.PickupDirectory) && Directory.GetFiles(host.PickupDirectory, "*.eml").Any(f => File.ReadAllText(f).Contains($"To: {email}", StringComparison.Ordinal)))
                {
                    return null;
                }
            }

            return $"the invitation email to {email} was never sent";
        }

        public async Task<IEnumerable<string>> InvoiceNumberGapsAsync()
        {
            var numbers = new List<long>();
            var token = string.Empty;
            do
            {
                var page = await _billing.ListInvoicesAsync(new ListInvoicesRequest { Parent = organization, PageSize = 200, PageToken = token }, owner);
                numbers.AddRange(page.Invoices.Select(i => long.Parse(i.Number, CultureInfo.InvariantCulture)));
                token = page.NextPageToken;
            }
            while (token.Length > 0);
            numbers.Sort();
            return numbers.SequenceEqual(Enumerable.Range(1, numbers.Count).Select(i => (long)i)) ? [] : [$"invoice numbers with gaps: {string.Join(",", numbers)}"];
        }

        public async Task<IEnumerable<string>> LegalRepresentativeAsync() =>
            (await MembersAsync()).Any(m => m.LegalRepresentative) ? [] : ["the organization has no legal representative (ORG-6)"];

        private async Task<List<Member>> MembersAsync()
        {
            if (_members is null)
            {
                _members = [];
                var token = string.Empty;
                do
                {
                    var page = await _organizations.ListMembersAsync(new ListMembersRequest { Parent = organization, PageSize = 100, PageToken = token }, owner);
                    _members.AddRange(page.Members);
                    token = page.NextPageToken;
                }
                while (token.Length > 0);
            }

            return _members;
        }
    }
}

public sealed class CrashCampaignTests : CrashCampaignTestsBase
{
    protected override string Store => "sqlite";

    protected override string[] StoreSettings() => [];
}

public sealed class CrashCampaignTestsPostgres : CrashCampaignTestsBase
{
    protected override string Store => "postgres";

    protected override string[]? StoreSettings() =>
        PostgresHostFactory.ServerConnectionString is { } server
            ? ["--Storage:Provider=Postgres", $"--Storage:ConnectionString={server};Database=hosting_campaign_{Guid.NewGuid():N}"]
            : null;
}
