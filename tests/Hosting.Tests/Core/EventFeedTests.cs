using Hosting.Core.Events;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>Reading the feed (EVT-2) over the SQLite store: the reader's request, its pages and retention.</summary>
public sealed class EventFeedTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private EventOptions Options => _h.EventOptions;

    private Task<Result<EventPage>> ListAsync(string? cursor = null, IEnumerable<string>? types = null, Guid? organizationId = null, int pageSize = 0) =>
        _h.Events().ListAsync(cursor, types ?? [], organizationId, pageSize);

    private static EventCursor CursorAt(DateTimeOffset at) => new(0, 1, at);

    /// <summary>An organization and <paramref name="topUps"/> top-ups of its wallet, each one a <c>wallet.credited</c> event.</summary>
    private async Task<Guid> OrganizationWithTopUpsAsync(string owner, int topUps)
    {
        var (user, id) = await _h.OrganizationAsync(owner);
        for (var i = 0; i < topUps; i++)
        {
            var topUp = await _h.Wallets().TopUpAsync(user, id, Money.FromTrusted(1_000 + i, "CHF"), SimulatedPaymentGateway.Success, $"{id:N}-{i}");
            Assert.True(topUp.IsSuccess, topUp.Error?.Reason);
        }

        return id;
    }

    [Fact]
    [Trait("Rule", "EVT-2")]
    public async Task ACursorAsOldAsRetention_IsRead_AndOneTickOlder_IsRefusedOnTheCursorField()
    {
        var oldest = _h.Clock.GetUtcNow() - Options.Retention;

        Assert.True((await ListAsync(CursorAt(oldest).Encode())).IsSuccess);
        var error = ResultAssert.Fails(await ListAsync(CursorAt(oldest.AddTicks(-1)).Encode()), "EVENT_CURSOR_EXPIRED");

        Assert.Equal(ErrorKind.FailedPrecondition, error.Kind);
        var field = Assert.Single(error.Fields);
        Assert.Equal(("cursor", "EVENT_CURSOR_EXPIRED"), (field.Field, field.Reason));
        Assert.False(string.IsNullOrWhiteSpace(field.Description));
        Assert.Contains("30 days", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [Trait("Rule", "EVT-2")]
    [InlineData("not base64 !")]
    [InlineData("bm90IGEgY3Vyc29y")]
    [InlineData("e2.0.1.5")]
    [InlineData("e1.0.1")]
    [InlineData("e1.0.1.5.6")]
    [InlineData("e1.-1.1.5")]
    [InlineData("e1.0.x.5")]
    [InlineData("e1.0.1.3155378976000000000")]
    public async Task ACursorThisServiceDidNotHandOut_IsRefusedAsInvalid(string text)
    {
        // Plain text is encoded as a cursor would be, so that only its content is wrong.
        var cursor = text.StartsWith('e') ? System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.ASCII.GetBytes(text)) : text;

        var error = ResultAssert.Fails(await ListAsync(cursor), "INVALID_EVENT_CURSOR");

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("cursor", Assert.Single(error.Fields).Field);
        Assert.Contains("empty cursor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "EVT-2")]
    public void ACursorReadsBackAsHandedOut_AndTheEmptyCursorIsTheStart()
    {
        var cursor = new EventCursor(42, 7, _h.Clock.GetUtcNow());

        var last = new EventCursor(long.MaxValue, long.MaxValue, DateTimeOffset.MaxValue);

        Assert.Equal(cursor, EventCursor.Decode(cursor.Encode(), "cursor").Value);
        Assert.Equal(last, EventCursor.Decode(last.Encode(), "cursor").Value);
        Assert.Null(EventCursor.Decode(null, "cursor").Value);
        Assert.Null(EventCursor.Decode(string.Empty, "cursor").Value);
    }

    [Fact]
    [Trait("Rule", "EVT-2")]
    public async Task AnUnknownType_IsRefusedByName_AndEveryKnownTypeIsAccepted()
    {
        var error = ResultAssert.Fails(await ListAsync(types: [EventTypes.WalletCredited, "product.stolen"]), "UNKNOWN_EVENT_TYPE");

        Assert.Equal("types", Assert.Single(error.Fields).Field);
        Assert.Contains("'product.stolen'", error.Message, StringComparison.Ordinal);
        Assert.Contains("known: account.deleted, invoice.cancelled, invoice.issued,", error.Message, StringComparison.Ordinal);
        Assert.True((await ListAsync(types: EventTypes.All)).IsSuccess);
    }

    [Theory]
    [Trait("Rule", "EVT-2")]
    [InlineData(-1)]
    [InlineData(EventFeed.MaxPageSize + 1)]
    [InlineData(int.MinValue)]
    public async Task APageSizeOutsideZeroToTheMaximum_IsRefused(int pageSize)
    {
        var error = ResultAssert.Fails(await ListAsync(pageSize: pageSize), "INVALID_PAGE_SIZE");

        Assert.Equal("page_size", Assert.Single(error.Fields).Field);
        Assert.Contains($"0 to {EventFeed.MaxPageSize}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [Trait("Rule", "EVT-2")]
    [InlineData(0, EventFeed.DefaultPageSize)]
    [InlineData(1, 1)]
    [InlineData(EventFeed.MaxPageSize, EventFeed.MaxPageSize)]
    public void APageSize_IsTheLimitRead_AndZeroMeansTheDefault(int pageSize, int limit)
    {
        var request = _h.Events().Validate(null, [], null, pageSize);

        Assert.Equal(limit, request.Value.Limit);
    }

    [Fact]
    [Trait("Rule", "EVT-2")]
    public async Task Pages_FollowOneAnother_AndAReaderCaughtUpKeepsItsCursor()
    {
        var organization = await OrganizationWithTopUpsAsync("feed@example.com", 3);
        var credits = new[] { EventTypes.WalletCredited };

        var first = (await ListAsync(types: credits, organizationId: organization, pageSize: 2)).Value;
        var second = (await ListAsync(first.Next!.Encode(), credits, organization, 2)).Value;
        var caughtUp = (await ListAsync(second.Next!.Encode(), credits, organization, 2)).Value;

        Assert.Equal(["1000", "1001", "1002"], first.Events.Concat(second.Events).Select(e => e.Fields()["amount_minor"]));
        Assert.Equal(first.Events[^1].Cursor, first.Next);
        Assert.Empty(caughtUp.Events);
        Assert.Equal(second.Next, caughtUp.Next);
    }

    [Fact]
    [Trait("Rule", "EVT-2")]
    public async Task TheFeed_FiltersByOrganizationAndType()
    {
        var mine = await OrganizationWithTopUpsAsync("mine@example.com", 2);
        var theirs = await OrganizationWithTopUpsAsync("theirs@example.com", 1);

        var all = (await ListAsync(pageSize: EventFeed.MaxPageSize)).Value.Events;
        var myCredits = (await ListAsync(types: [EventTypes.WalletCredited], organizationId: mine, pageSize: EventFeed.MaxPageSize)).Value.Events;

        Assert.Contains(all, e => e.OrganizationId == theirs);
        Assert.Contains(all, e => e.Type != EventTypes.WalletCredited);
        Assert.Equal(all.Where(e => e.OrganizationId == mine && e.Type == EventTypes.WalletCredited).Select(e => e.Id), myCredits.Select(e => e.Id));
        Assert.Equal(2, myCredits.Count);
    }

    [Fact]
    [Trait("Rule", "EVT-2")]
    public async Task Retention_ForgetsTheEventsOlderThanItsTime_AndKeepsTheRest()
    {
        await OrganizationWithTopUpsAsync("old@example.com", 1);
        var old = _h.Query(db => db.Set<HostingEvent>().Count());
        _h.Clock.Advance(TimeSpan.FromDays(2));
        var recent = await OrganizationWithTopUpsAsync("recent@example.com", 1);
        _h.Clock.Advance(Options.Retention - TimeSpan.FromDays(1));

        var purged = await _h.Events().PurgeAsync();

        Assert.Equal(old, purged);
        var kept = _h.Query(db => db.Set<HostingEvent>().ToList());
        Assert.NotEmpty(kept);
        Assert.All(kept, e => Assert.True(e.OccurredAt >= _h.Clock.GetUtcNow() - Options.Retention));
        Assert.Contains(kept, e => e.OrganizationId == recent);
    }

    [Fact]
    [Trait("Rule", "EVT-2")]
    public async Task ASignal_WakesWhoeverTookItsNextBeforeThePulse_AndOnlyOnce()
    {
        var signal = new EventSignal();
        var before = signal.Next;

        signal.Pulse();
        var after = signal.Next;

        await before.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(before.IsCompletedSuccessfully);
        Assert.False(after.IsCompleted);
        signal.Pulse();
        await after.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
