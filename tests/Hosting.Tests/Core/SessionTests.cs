using Hosting.Core.Accounts;
using Hosting.Core.Shared;
using Hosting.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hosting.Tests.Core;

/// <summary>Sessions: their tokens, their limits in time, and what their holder does with them (ACC-3, API-2, API-4).</summary>
public sealed class SessionTests : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<(SignedIn Session, AuthenticatedUser User)> SignedInAsync(SignInContext? context = null)
    {
        var session = await _h.SignInAsync(context: context);
        return (session, (await _h.Accounts().AuthenticateAsync(session.Token)).Value);
    }

    private Session Stored(Guid id) => _h.Query(db => db.Set<Session>().AsNoTracking().Single(s => s.Id == id));

    private List<ActivityEntry> Activity(ActivityKind kind) =>
        _h.Query(db => db.Set<ActivityEntry>().AsNoTracking().Where(e => e.Kind == kind).ToList());

    [Theory]
    [Trait("Rule", "API-2")]
    [InlineData(null)]
    [InlineData("")]
    public async Task Authenticate_WithoutAToken_NeedsOne(string? token)
    {
        var error = ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(token), "SESSION_REQUIRED");

        Assert.Equal(ErrorKind.Unauthenticated, error.Kind);
    }

    [Fact]
    [Trait("Rule", "API-2")]
    public async Task Authenticate_WithATokenNeverIssued_IsInvalid()
    {
        await _h.SignUpAsync();
        var session = await _h.SignInAsync();

        var error = ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(session.Token + "x"), "SESSION_INVALID");

        Assert.Equal(ErrorKind.Unauthenticated, error.Kind);
    }

    [Fact]
    [Trait("Rule", "API-2")]
    public async Task Authenticate_NamesTheAccountTheSessionAndTheLogin()
    {
        var account = await _h.SignUpAsync();
        var session = await _h.SignInAsync();

        var user = (await _h.Accounts().AuthenticateAsync(session.Token)).Value;

        Assert.Equal(account.Id, user.AccountId);
        Assert.Equal(session.Session.Id, user.SessionId);
        Assert.Equal("ann@example.com", user.Login?.Value);
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task SignIn_OpensASessionWithTheClientsContext_AndLogsIt()
    {
        var account = await _h.SignUpAsync();

        var signedIn = await _h.SignInAsync(context: Contexts.Travel);

        var stored = Stored(signedIn.Session.Id);
        Assert.Equal(account.Id, stored.AccountId);
        Assert.Equal(AccountsHarness.Start, stored.CreatedAt);
        Assert.Equal(AccountsHarness.Start, stored.LastUsedAt);
        Assert.Null(stored.EndedAt);
        Assert.Equal("198.51.100.20", stored.IpAddress);
        Assert.Equal("laptop-1", stored.DeviceId);
        Assert.Equal("Firefox/140", stored.UserAgent);
        var entry = Assert.Single(Activity(ActivityKind.SignInSucceeded));
        Assert.Equal(account.Id, entry.AccountId);
        Assert.Equal("198.51.100.20", entry.IpAddress);
        Assert.Equal("laptop-1", entry.Device);
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task Session_UsedJustBeforeTheIdleTimeout_KeepsWorking_AndAtItStops()
    {
        await _h.SignUpAsync();
        var kept = await _h.SignInAsync();
        var dropped = await _h.SignInAsync();

        _h.Clock.Advance(_h.Options.SessionIdleTimeout - Tick);
        Assert.True((await _h.Accounts().AuthenticateAsync(kept.Token)).IsSuccess);
        _h.Clock.Advance(Tick);

        ResultAssert.Fails(await _h.Accounts().AuthenticateAsync(dropped.Token), "SESSION_INVALID");
        Assert.True((await _h.Accounts().AuthenticateAsync(kept.Token)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task Use_IsRecordedOncePerTouchInterval()
    {
        await _h.SignUpAsync();
        var session = await _h.SignInAsync();

        _h.Clock.Advance(Session.TouchInterval - Tick);
        Assert.True((await _h.Accounts().AuthenticateAsync(session.Token)).IsSuccess);
        Assert.Equal(AccountsHarness.Start, Stored(session.Session.Id).LastUsedAt);

        _h.Clock.Advance(Tick);
        Assert.True((await _h.Accounts().AuthenticateAsync(session.Token)).IsSuccess);
        Assert.Equal(AccountsHarness.Start + Session.TouchInterval, Stored(session.Session.Id).LastUsedAt);
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task SignOut_EndsTheCallingSessionNow_AndLogsIt()
    {
        await _h.SignUpAsync();
        var (session, user) = await SignedInAsync();
        var other = await _h.SignInAsync();
        _h.Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.True((await _h.Accounts().SignOutAsync(user, Contexts.Travel)).IsSuccess);

        Assert.Equal(_h.Clock.GetUtcNow(), Stored(session.Session.Id).EndedAt);
        Assert.Null(Stored(other.Session.Id).EndedAt);
        var entry = Assert.Single(Activity(ActivityKind.SignedOut));
        Assert.Equal(user.AccountId, entry.AccountId);
        Assert.Equal(_h.Clock.GetUtcNow(), entry.At);
        Assert.Equal("198.51.100.20", entry.IpAddress);
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task ListSessions_ShowsOnlyTheActiveOnes_NewestFirst()
    {
        await _h.SignUpAsync();
        var ended = await SignedInAsync();
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        var older = await _h.SignInAsync(context: Contexts.Travel);
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        var (newest, user) = await SignedInAsync();
        await _h.Accounts().SignOutAsync(ended.User, Contexts.Home);

        var page = (await _h.Accounts().ListSessionsAsync(user, 0, null)).Value;

        Assert.Equal([newest.Session.Id, older.Session.Id], page.Items.Select(s => s.Id));
        Assert.Equal("198.51.100.20", page.Items[1].IpAddress);
        Assert.Equal(string.Empty, page.NextPageToken);
    }

    [Fact]
    [Trait("Rule", "API-4")]
    public async Task ListSessions_PagesWithAKeysetToken_WithoutLossOrRepetition()
    {
        await _h.SignUpAsync();
        var opened = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            opened.Add((await _h.SignInAsync()).Session.Id);
            _h.Clock.Advance(TimeSpan.FromSeconds(10));
        }

        var (last, user) = await SignedInAsync();
        opened.Add(last.Session.Id);
        opened.Reverse();

        var first = (await _h.Accounts().ListSessionsAsync(user, 2, null)).Value;
        var second = (await _h.Accounts().ListSessionsAsync(user, 2, first.NextPageToken)).Value;
        var third = (await _h.Accounts().ListSessionsAsync(user, 2, second.NextPageToken)).Value;

        Assert.Equal(opened[..2], first.Items.Select(s => s.Id));
        Assert.Equal(opened[2..4], second.Items.Select(s => s.Id));
        Assert.Equal(opened[4..], third.Items.Select(s => s.Id));
        Assert.NotEqual(string.Empty, second.NextPageToken);
        Assert.Equal(string.Empty, third.NextPageToken);
    }

    [Fact]
    [Trait("Rule", "API-4")]
    public async Task ListSessions_RefusesAForgedPageToken_AndANegativePageSize()
    {
        await _h.SignUpAsync();
        var (_, user) = await SignedInAsync();

        var forged = ResultAssert.Fails(await _h.Accounts().ListSessionsAsync(user, 10, "not-a-token"), "INVALID_PAGE_TOKEN");
        var negative = await _h.Accounts().ListSessionsAsync(user, -1, null);

        Assert.Equal("page_token", Assert.Single(forged.Fields).Field);
        Assert.False(negative.IsSuccess);
        Assert.Equal("page_size", Assert.Single(negative.Error.Fields).Field);
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task RevokeOtherSessions_CountsOnlyThoseStillActive_AndLogsEachCall()
    {
        await _h.SignUpAsync();
        var signedOut = await SignedInAsync();
        await _h.Accounts().SignOutAsync(signedOut.User, Contexts.Home);
        var other = await _h.SignInAsync();
        var (current, user) = await SignedInAsync();

        var first = await _h.Accounts().RevokeOtherSessionsAsync(user, Contexts.Travel);
        var second = await _h.Accounts().RevokeOtherSessionsAsync(user, Contexts.Travel);

        Assert.Equal(1, first.Value);
        Assert.Equal(0, second.Value);
        Assert.Equal(AccountsHarness.Start, Stored(other.Session.Id).EndedAt);
        Assert.Null(Stored(current.Session.Id).EndedAt);
        var entries = Activity(ActivityKind.SessionsRevoked);
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal("198.51.100.20", e.IpAddress));
    }

    [Fact]
    [Trait("Rule", "ACC-3")]
    public async Task SignOut_OfAnEndedSession_KeepsWhenItEnded_AndOnlyLogsTheCall()
    {
        await _h.SignUpAsync();
        var (session, user) = await SignedInAsync();
        await _h.Accounts().RevokeOtherSessionsAsync(user, Contexts.Home);
        await _h.Accounts().SignOutAsync(user, Contexts.Home);
        var ended = _h.Clock.GetUtcNow();
        _h.Clock.Advance(TimeSpan.FromMinutes(1));

        // A second sign-out with the same (now ended) session changes nothing but the log.
        await _h.Accounts().SignOutAsync(user, Contexts.Home);

        Assert.Equal(ended, Stored(session.Session.Id).EndedAt);
        Assert.Equal(2, Activity(ActivityKind.SignedOut).Count);
    }
}
