using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hosting.Accounts.V1;
using Hosting.Billing.V1;
using Hosting.Events.V1;
using Hosting.Mailboxes.V1;
using Hosting.Organizations.V1;
using Hosting.Tests.Support;
using Hosting.Wallets.V1;

namespace Hosting.Tests.Grpc;

/// <summary>The feed of changes for backend services, through the host, on both stores (EVT-1..EVT-3).</summary>
public abstract class EventsGrpcTestsBase<TFactory>(TFactory host) : IClassFixture<TFactory>
    where TFactory : HostFactory
{
    private static readonly Metadata Reader = new() { { "x-api-key", HostFactory.EventsKey } };

    private EventsService.EventsServiceClient Events => new(host.Channel());

    private OrganizationsService.OrganizationsServiceClient Organizations => new(host.Channel());

    private BillingService.BillingServiceClient Billing => new(host.Channel());

    private WalletService.WalletServiceClient Wallets => new(host.Channel());

    private MailboxesService.MailboxesServiceClient Mailboxes => new(host.Channel());

    private static Hosting.Organizations.V1.ContactDetails Contact => new()
    {
        Kind = HolderKind.Individual, FirstName = "Ann", LastName = "Meier", Street = "Rue du Lac 1", PostalCode = "1200", City = "Geneva", Country = "CH",
    };

    private async Task<(Metadata Auth, string Login, string Organization)> OwnerAsync(string prefix)
    {
        var login = $"{prefix}-{Guid.NewGuid():N}@example.com";
        var auth = await host.SignedUpAsync(login);
        var organization = (await Organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact }, auth)).Organization.Name;
        return (auth, login, organization);
    }

    /// <summary>
    /// On PostgreSQL, waits until every transaction open now has ended: the feed shows events only
    /// below the oldest open transaction of the whole server, and the other suites sharing the
    /// server keep transactions open. After it, a read sees everything this test committed.
    /// </summary>
    private async Task SettleAsync()
    {
        if (host is not PostgresHostFactory)
        {
            return;
        }

        // Transaction ids are server-wide: the server's own database serves, even before this test's exists.
        await using var connection = new Npgsql.NpgsqlConnection(PostgresHostFactory.ServerConnectionString);
        await connection.OpenAsync();
        async Task<long> ScalarAsync(string sql)
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }

        var next = await ScalarAsync("SELECT (pg_snapshot_xmax(pg_current_snapshot())::text)::bigint");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await ScalarAsync("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint") < next)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>Every event of the organization after <paramref name="cursor"/>, read page by page once what was committed is visible.</summary>
    private async Task<(List<Event> Events, string Cursor)> ReadAsync(string cursor, string organization = "", int pageSize = 7)
    {
        await SettleAsync();
        var events = new List<Event>();
        while (true)
        {
            var page = await Events.ListEventsAsync(new ListEventsRequest { Cursor = cursor, Organization = organization, PageSize = pageSize }, Reader);
            events.AddRange(page.Events);
            cursor = page.NextCursor;
            if (page.Events.Count < pageSize)
            {
                return (events, cursor);
            }
        }
    }

    private async Task<string> EndCursorAsync() => (await ReadAsync(string.Empty, pageSize: 500)).Cursor;

    private async Task<List<Event>> StepAsync(Func<Task> change, string organization)
    {
        var cursor = await EndCursorAsync();
        await change();
        return (await ReadAsync(cursor, organization)).Events;
    }

    private static ConfirmOrderRequest Order(string organization, string method, string requestId, Hosting.Organizations.V1.ProductType type, string name) => new()
    {
        Parent = organization, PaymentMethod = method, RequestId = requestId,
        Lines = { new CartLine { ProductType = (int)type, DisplayName = name, PeriodMonths = 12 } },
    };

    /// <summary>The next event of a watch; the host's clock moves on meanwhile, so its polls run.</summary>
    private async Task<Event?> NextEventAsync(IAsyncStreamReader<WatchEventsResponse> stream, CancellationToken ct)
    {
        while (true)
        {
            var next = stream.MoveNext(ct);
            while (!next.IsCompleted)
            {
                host.Clock.Advance(TimeSpan.FromSeconds(1));
                await Task.WhenAny(next, Task.Delay(20, ct));
            }

            if (!await next)
            {
                return null;
            }

            if (stream.Current.KindCase == WatchEventsResponse.KindOneofCase.Event)
            {
                return stream.Current.Event;
            }
        }
    }

    private static void AssertTypes(IEnumerable<Event> events, params string[] types) =>
        Assert.Equal(types.Order(), events.Select(e => e.Type).Order());

    [SkippableFact]
    [Trait("Rule", "EVT-1")]
    [Trait("Rule", "EVT-3")]
    public async Task EveryChangeAConsumerActsOn_IsRecordedWithItsResourceAndFields()
    {
        host.SkipUnlessAvailable();
        var cursor = await EndCursorAsync();
        var (owner, _, organization) = await OwnerAsync("events-owner");
        AssertTypes((await ReadAsync(cursor, organization)).Events, "organization.created", "member.joined");

        var topUp = await StepAsync(() => Wallets.TopUpWalletAsync(new TopUpWalletRequest
        {
            Parent = organization, Amount = new Hosting.Wallets.V1.Money { Minor = 100_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "fund",
        }, owner).ResponseAsync, organization);
        AssertTypes(topUp, "wallet.credited");
        Assert.Equal("100000", topUp[0].Data["amount_minor"]);
        Assert.Equal($"{organization}/wallets/CHF", topUp[0].Resource);

        var domain = $"ev{Guid.NewGuid():N}"[..14] + ".ch";
        Hosting.Billing.V1.Invoice? paid = null;
        var ordered = await StepAsync(async () => paid = (await Billing.ConfirmOrderAsync(Order(organization, "wallet", "mail", Hosting.Organizations.V1.ProductType.MailService, domain), owner)).Invoice, organization);
        AssertTypes(ordered, "product.ordered", "product.activated", "invoice.issued", "invoice.paid", "wallet.debited");
        var mailService = paid!.Lines.Single().Product;
        Assert.Equal(domain, ordered.First(e => e.Type == "product.activated").Data["name"]);
        Assert.Equal("MailService", ordered.First(e => e.Type == "product.activated").Data["product_type"]);
        Assert.Equal(paid.Number, ordered.First(e => e.Type == "invoice.paid").Data["number"]);
        Assert.Equal(paid.TotalMinor.ToString(System.Globalization.CultureInfo.InvariantCulture), ordered.First(e => e.Type == "invoice.issued").Data["total_minor"]);

        Mailbox? mailbox = null;
        var created = await StepAsync(async () => mailbox = (await Mailboxes.CreateMailboxAsync(new CreateMailboxRequest { Parent = mailService, LocalPart = "info", Password = "mailbox secret words 1" }, owner)).Mailbox, organization);
        var changed = await StepAsync(() => Mailboxes.SetMailboxPasswordAsync(new SetMailboxPasswordRequest { Name = mailbox!.Name, NewPassword = "other mailbox words 2" }, owner).ResponseAsync, organization);
        var deleted = await StepAsync(() => Mailboxes.DeleteMailboxAsync(new DeleteMailboxRequest { Name = mailbox!.Name }, owner).ResponseAsync, organization);
        AssertTypes(created, "mailbox.created");
        AssertTypes(changed, "mailbox.password_changed");
        AssertTypes(deleted, "mailbox.deleted");
        Assert.Equal(mailbox!.Name, deleted[0].Resource);
        Assert.Equal($"info@{domain}", created[0].Data["address"]);

        var memberLogin = $"events-member-{Guid.NewGuid():N}@example.com";
        var member = await host.SignedUpAsync(memberLogin);
        var invitation = await Organizations.CreateInvitationAsync(new CreateInvitationRequest { Parent = organization, Email = memberLogin, Rights = new MemberRights { Administrator = true } }, owner);
        Hosting.Organizations.V1.Organization? joined = null;
        var join = await StepAsync(async () => joined = (await Organizations.AcceptInvitationAsync(new AcceptInvitationRequest { Name = invitation.Invitation.Name }, member)).Organization, organization);
        var rights = await StepAsync(() => Organizations.UpdateMemberAsync(new UpdateMemberRequest
        {
            Member = new Member { Name = joined!.Me.Name, Rights = new MemberRights { Administrator = true, Billing = true } },
            UpdateMask = new FieldMask { Paths = { "rights.billing" } },
        }, owner).ResponseAsync, organization);
        var removed = await StepAsync(() => Organizations.RemoveMemberAsync(new RemoveMemberRequest { Name = joined!.Me.Name }, owner).ResponseAsync, organization);
        AssertTypes(join, "member.joined");
        AssertTypes(rights, "member.rights_changed");
        Assert.Equal("true", rights[0].Data["billing"]);
        AssertTypes(removed, "member.left");
        Assert.Equal(joined!.Me.Name, removed[0].Resource);

        Hosting.Billing.V1.Invoice? unpaid = null;
        var pending = await StepAsync(async () => unpaid = (await Billing.ConfirmOrderAsync(Order(organization, "bank-transfer", "later", Hosting.Organizations.V1.ProductType.DomainName, "later.ch"), owner)).Invoice, organization);
        var cancelled = await StepAsync(() => Billing.CancelInvoiceAsync(new CancelInvoiceRequest { Name = unpaid!.Name }, owner).ResponseAsync, organization);
        var terminated = await StepAsync(() => Organizations.TerminateProductAsync(new TerminateProductRequest { Name = mailService }, owner).ResponseAsync, organization);
        // A wallet with money keeps an organization (ORG-9): the owner's second, empty one is deleted.
        var spare = (await Organizations.CreateOrganizationAsync(new CreateOrganizationRequest { ContactDetails = Contact }, owner)).Organization.Name;
        var gone = await StepAsync(() => Organizations.DeleteOrganizationAsync(new DeleteOrganizationRequest { Name = spare }, owner).ResponseAsync, spare);
        AssertTypes(pending, "product.ordered", "invoice.issued");
        Assert.Equal("Unpaid", pending.Single(e => e.Type == "invoice.issued").Data["state"]);
        AssertTypes(cancelled, "invoice.cancelled", "product.removed");
        AssertTypes(terminated, "product.terminated");
        Assert.Equal(mailService, terminated[0].Resource);
        Assert.Contains(gone, e => e.Type == "organization.deleted" && e.Resource == spare);

        var accountCursor = await EndCursorAsync();
        await host.Accounts().DeleteAccountAsync(new DeleteAccountRequest { CurrentPassword = Passwords.Good }, member);
        var accountEvents = (await ReadAsync(accountCursor)).Events;
        Assert.Contains(accountEvents, e => e.Type == "account.deleted" && e.Organization.Length == 0);

        // EVT-3: nothing a consumer receives is a password, a hash or a token.
        var everything = (await ReadAsync(string.Empty, pageSize: 500)).Events;
        var values = everything.SelectMany(e => e.Data.Values.Append(e.Resource)).ToList();
        Assert.DoesNotContain(values, v => v.Contains("$argon2", StringComparison.Ordinal) || v.Contains("secret words", StringComparison.Ordinal)
            || v.Contains(Passwords.Good, StringComparison.Ordinal) || v.Contains("mailbox words", StringComparison.Ordinal));
        Assert.All(everything.SelectMany(e => e.Data.Keys), k => Assert.DoesNotContain("password", k, StringComparison.OrdinalIgnoreCase));
    }

    [SkippableFact]
    [Trait("Rule", "EVT-1")]
    public async Task ARefusedChange_RecordsNoEvent()
    {
        host.SkipUnlessAvailable();
        var (owner, _, organization) = await OwnerAsync("events-refused");
        var cursor = await EndCursorAsync();

        await Assert.ThrowsAsync<RpcException>(() => Wallets.TopUpWalletAsync(new TopUpWalletRequest
        {
            Parent = organization, Amount = new Hosting.Wallets.V1.Money { Minor = 5_000, Currency = "CHF" }, PaymentMethod = "sim-decline", RequestId = "declined",
        }, owner).ResponseAsync);
        await Assert.ThrowsAsync<RpcException>(() => Billing.ConfirmOrderAsync(Order(organization, "wallet", "broke", Hosting.Organizations.V1.ProductType.DomainName, "broke.ch"), owner).ResponseAsync);

        Assert.Empty((await ReadAsync(cursor, organization)).Events);
    }

    [SkippableFact]
    [Trait("Rule", "EVT-2")]
    public async Task TheFeed_IsOneOrder_PagedWithoutGapOrRepeat_AndFilteredByTypeAndOrganization()
    {
        host.SkipUnlessAvailable();
        var start = await EndCursorAsync();
        var (ownerA, _, a) = await OwnerAsync("events-a");
        var (ownerB, _, b) = await OwnerAsync("events-b");
        for (var i = 0; i < 3; i++)
        {
            await Wallets.TopUpWalletAsync(new TopUpWalletRequest { Parent = a, Amount = new Hosting.Wallets.V1.Money { Minor = 1_000 + i, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = $"a{i}" }, ownerA);
            await Wallets.TopUpWalletAsync(new TopUpWalletRequest { Parent = b, Amount = new Hosting.Wallets.V1.Money { Minor = 2_000 + i, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = $"b{i}" }, ownerB);
        }

        // Read once every transaction of the server begun before now has ended, as the paged reads are:
        // an unrelated test's open transaction otherwise holds the feed back for this read alone.
        await SettleAsync();
        var whole = (await Events.ListEventsAsync(new ListEventsRequest { Cursor = start, PageSize = 500 }, Reader)).Events;
        var paged = (await ReadAsync(start, pageSize: 2)).Events;
        var onlyA = (await ReadAsync(start, a, 2)).Events;
        var credits = await Events.ListEventsAsync(new ListEventsRequest { Cursor = start, Types_ = { "wallet.credited" }, Organization = b, PageSize = 500 }, Reader);

        Assert.Equal(whole.Select(e => e.Id), paged.Select(e => e.Id));
        Assert.Equal(whole.Count, whole.Select(e => e.Id).Distinct().Count());
        Assert.Equal(whole.Where(e => e.Organization == a).Select(e => e.Id), onlyA.Select(e => e.Id));
        Assert.Equal(["2000", "2001", "2002"], credits.Events.Select(e => e.Data["amount_minor"]));
    }

    [SkippableFact]
    [Trait("Rule", "EVT-2")]
    public async Task AWatch_CatchesUp_FollowsLiveChanges_AndResumesAfterADisconnectWithoutLoss()
    {
        host.SkipUnlessAvailable();
        var (owner, _, organization) = await OwnerAsync("events-watch");
        await Wallets.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = new Hosting.Wallets.V1.Money { Minor = 1_000, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "w0" }, owner);
        var expected = (await ReadAsync(string.Empty, organization)).Events;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var received = new List<Event>();
        using (var first = Events.WatchEvents(new WatchEventsRequest { Organization = organization }, Reader, cancellationToken: timeout.Token))
        {
            while (received.Count < expected.Count)
            {
                received.Add((await NextEventAsync(first.ResponseStream, timeout.Token))!);
            }

            // Live: a change made while watching arrives on the open stream.
            await Wallets.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = new Hosting.Wallets.V1.Money { Minor = 1_001, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = "w1" }, owner);
            received.Add((await NextEventAsync(first.ResponseStream, timeout.Token))!);
        }

        // Disconnected: changes go on, and the watcher resumes from the last cursor it saw.
        for (var i = 2; i < 5; i++)
        {
            await Wallets.TopUpWalletAsync(new TopUpWalletRequest { Parent = organization, Amount = new Hosting.Wallets.V1.Money { Minor = 1_000 + i, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = $"w{i}" }, owner);
        }

        using (var resumed = Events.WatchEvents(new WatchEventsRequest { Organization = organization, Cursor = received[^1].Cursor }, Reader, cancellationToken: timeout.Token))
        {
            for (var i = 0; i < 3; i++)
            {
                received.Add((await NextEventAsync(resumed.ResponseStream, timeout.Token))!);
            }
        }

        var all = (await ReadAsync(string.Empty, organization)).Events;
        Assert.Equal(all.Select(e => e.Id), received.Select(e => e.Id));
        Assert.Equal(["1000", "1001", "1002", "1003", "1004"], received.Where(e => e.Type == "wallet.credited").Select(e => e.Data["amount_minor"]));
    }

    [SkippableFact]
    [Trait("Rule", "EVT-2")]
    public async Task AQuietWatch_SendsHeartbeatsWithItsCursor()
    {
        host.SkipUnlessAvailable();
        var (_, _, organization) = await OwnerAsync("events-quiet");
        var end = (await ReadAsync(string.Empty, organization)).Cursor;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = Events.WatchEvents(new WatchEventsRequest { Organization = organization, Cursor = end, Types_ = { "invoice.paid" } }, Reader, cancellationToken: timeout.Token);

        var next = watch.ResponseStream.MoveNext(timeout.Token);
        while (!next.IsCompleted)
        {
            host.Clock.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(next, Task.Delay(50, timeout.Token));
        }

        Assert.True(await next);
        Assert.Equal(WatchEventsResponse.KindOneofCase.Heartbeat, watch.ResponseStream.Current.KindCase);
        Assert.Equal(end, watch.ResponseStream.Current.Heartbeat.Cursor);
    }

    [SkippableFact]
    [Trait("Rule", "EVT-2")]
    public async Task ACursorOlderThanRetention_IsRefused_AndRetentionForgetsOldEvents()
    {
        host.SkipUnlessAvailable();
        var (_, _, organization) = await OwnerAsync("events-old");
        var events = (await ReadAsync(string.Empty, organization)).Events;
        host.Clock.Advance(TimeSpan.FromDays(31));

        var status = await RpcAssert.FailsAsync(
            () => Events.ListEventsAsync(new ListEventsRequest { Cursor = events[0].Cursor }, Reader).ResponseAsync, StatusCode.FailedPrecondition, "EVENT_CURSOR_EXPIRED");
        using (var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateScope(host.Services))
        {
            var feed = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Hosting.Core.Events.EventFeed>(scope.ServiceProvider);
            await feed.PurgeAsync();
        }

        Assert.Equal("cursor", status.ViolatedField());
        Assert.Empty((await ReadAsync(string.Empty, organization)).Events);
    }

    [SkippableFact]
    [Trait("Rule", "EVT-2")]
    public async Task TheFeed_IsForApiKeysWithTheEventsScope_AndRefusesForgedCursorsAndUnknownTypes()
    {
        host.SkipUnlessAvailable();
        await RpcAssert.FailsAsync(
            () => Events.ListEventsAsync(new ListEventsRequest(), new Metadata { { "x-api-key", HostFactory.SupportKey } }).ResponseAsync, StatusCode.PermissionDenied, "API_KEY_SCOPE_MISSING");
        await RpcAssert.FailsAsync(() => Events.ListEventsAsync(new ListEventsRequest()).ResponseAsync, StatusCode.Unauthenticated, "API_KEY_REQUIRED");
        var forged = await RpcAssert.FailsAsync(
            () => Events.ListEventsAsync(new ListEventsRequest { Cursor = "bm90IGEgY3Vyc29y" }, Reader).ResponseAsync, StatusCode.InvalidArgument, "INVALID_EVENT_CURSOR");
        var type = await RpcAssert.FailsAsync(
            () => Events.ListEventsAsync(new ListEventsRequest { Types_ = { "product.stolen" } }, Reader).ResponseAsync, StatusCode.InvalidArgument, "UNKNOWN_EVENT_TYPE");

        Assert.Equal("cursor", forged.ViolatedField());
        Assert.Equal("types", type.ViolatedField());
    }

    [SkippableFact]
    [Trait("Rule", "EVT-2")]
    public async Task ConcurrentWriters_AndAConcurrentReader_SeeOneOrderWithoutGap()
    {
        host.SkipUnlessAvailable();
        var owners = new List<(Metadata Auth, string Organization)>();
        for (var i = 0; i < 4; i++)
        {
            var (auth, _, organization) = await OwnerAsync($"events-race{i}");
            owners.Add((auth, organization));
        }

        var start = await EndCursorAsync();
        var seen = new List<Event>();
        var writing = true;
        var reader = Task.Run(async () =>
        {
            var cursor = start;
            while (Volatile.Read(ref writing) || seen.Count == 0)
            {
                var page = await Events.ListEventsAsync(new ListEventsRequest { Cursor = cursor, PageSize = 3 }, Reader);
                seen.AddRange(page.Events);
                cursor = page.NextCursor;
            }

            seen.AddRange((await ReadAsync(cursor, pageSize: 500)).Events);
        });
        await Task.WhenAll(owners.SelectMany((o, i) => Enumerable.Range(0, 6).Select(j => Wallets.TopUpWalletAsync(new TopUpWalletRequest
        {
            Parent = o.Organization, Amount = new Hosting.Wallets.V1.Money { Minor = 1_000 + (100 * i) + j, Currency = "CHF" }, PaymentMethod = "sim-success", RequestId = $"r{j}",
        }, o.Auth).ResponseAsync)));
        Volatile.Write(ref writing, false);
        await reader;

        var committed = (await ReadAsync(start, pageSize: 500)).Events;
        Assert.Equal(24, committed.Count(e => e.Type == "wallet.credited"));
        Assert.Equal(committed.Select(e => e.Id), seen.Select(e => e.Id));
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [Trait("Rule", "EVT-2")]
    public async Task AWatcherDisconnectingAtRandomDuringConcurrentChanges_ReceivesTheCommittedFeedInOrder(int seed)
    {
        host.SkipUnlessAvailable();
        var random = new Random(seed);
        var owners = new List<(Metadata Auth, string Organization)>();
        for (var i = 0; i < 3; i++)
        {
            var (auth, _, organization) = await OwnerAsync($"events-chaos{seed}-{i}");
            owners.Add((auth, organization));
        }

        var start = await EndCursorAsync();
        var scripts = owners.Select(_ => Enumerable.Range(0, 8).Select(_ => random.Next(3)).ToArray()).ToArray();
        var disconnects = Enumerable.Range(0, 6).Select(_ => random.Next(1, 6)).ToArray();
        var writers = owners.Select((o, client) => Task.Run(async () =>
        {
            for (var i = 0; i < scripts[client].Length; i++)
            {
                var amount = new Hosting.Wallets.V1.Money { Minor = 1_000 + i, Currency = "CHF" };
                _ = scripts[client][i] switch
                {
                    0 => await Wallets.TopUpWalletAsync(new TopUpWalletRequest { Parent = o.Organization, Amount = amount, PaymentMethod = "sim-success", RequestId = $"c{i}" }, o.Auth),
                    1 => (object)await Billing.ConfirmOrderAsync(Order(o.Organization, "bank-transfer", $"o{i}", Hosting.Organizations.V1.ProductType.DomainName, $"chaos{seed}-{client}-{i}.ch"), o.Auth),
                    _ => await Organizations.UpdateOrganizationAsync(new UpdateOrganizationRequest
                    {
                        Organization = new Hosting.Organizations.V1.Organization { Name = o.Organization, ContactDetails = new Hosting.Organizations.V1.ContactDetails { City = $"City {i}" } },
                        UpdateMask = new FieldMask { Paths = { "contact_details.city" } },
                    }, o.Auth),
                };
            }
        })).ToArray();

        // The watcher reads a few events, drops the connection, and resumes from its last cursor.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var received = new List<Event>();
        var cursor = start;
        var round = 0;
        while (!writers.All(w => w.IsCompleted) || round < disconnects.Length)
        {
            using var watch = Events.WatchEvents(new WatchEventsRequest { Cursor = cursor }, Reader, cancellationToken: timeout.Token);
            var take = disconnects[round++ % disconnects.Length];
            for (var i = 0; i < take; i++)
            {
                var next = watch.ResponseStream.MoveNext(timeout.Token);
                if (await Task.WhenAny(next, Task.Delay(300, timeout.Token)) != next)
                {
                    break; // caught up for now: disconnect and come back
                }

                if (await next && watch.ResponseStream.Current.Event is { } e)
                {
                    received.Add(e);
                    cursor = e.Cursor;
                }
            }
        }

        await Task.WhenAll(writers);
        received.AddRange((await ReadAsync(cursor, pageSize: 500)).Events);
        var committed = (await ReadAsync(start, pageSize: 500)).Events;
        Assert.Equal(committed.Select(e => e.Id), received.Select(e => e.Id));
        Assert.True(committed.Count(e => e.Type == "wallet.credited") == scripts.Sum(s => s.Count(x => x == 0)));
    }
}

/// <summary>The suite on SQLite, the embedded store.</summary>
public sealed class EventsGrpcTests(HostFactory host) : EventsGrpcTestsBase<HostFactory>(host);

/// <summary>The same suite on PostgreSQL, where concurrent writers commit out of order.</summary>
public sealed class EventsGrpcTestsPostgres(PostgresHostFactory host) : EventsGrpcTestsBase<PostgresHostFactory>(host);
