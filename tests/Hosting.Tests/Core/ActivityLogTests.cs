using Hosting.Core.Accounts;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class ActivityLogTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    [Trait("Rule", "ACC-6")]
    public async Task Activity_ListsSignInsAndSecurityChanges_NewestFirst_WithAddressAndDevice()
    {
        await _h.SignUpAsync(context: Contexts.Home);
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        await _h.Accounts().SignInAsync("ann@example.com", Passwords.Other, null, null, Contexts.Travel);
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        var session = await _h.SignInAsync(context: Contexts.Home);
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        var user = (await _h.Accounts().AuthenticateAsync(session.Token)).Value;
        await _h.Accounts().ChangePasswordAsync(user, Passwords.Good, Passwords.Other, null, Contexts.Home);

        var page = (await _h.Accounts().ListActivityAsync(user, 0, null)).Value;

        Assert.Equal(
            [ActivityKind.PasswordChanged, ActivityKind.SignInSucceeded, ActivityKind.SignInFailed, ActivityKind.AccountCreated],
            page.Items.Select(e => e.Kind));
        var failed = page.Items[2];
        Assert.Equal("198.51.100.20", failed.IpAddress);
        Assert.Equal("laptop-1", failed.Device);
        Assert.Equal(string.Empty, page.NextPageToken);
    }

    [Fact]
    [Trait("Rule", "ACC-6")]
    public async Task Activity_IsPaginatedWithAStableKeysetToken()
    {
        await _h.SignUpAsync();
        var session = await _h.SignInAsync();
        var user = (await _h.Accounts().AuthenticateAsync(session.Token)).Value;
        for (var i = 0; i < 5; i++)
        {
            // Entries in the same instant must still page without loss or repetition.
            await _h.Accounts().RevokeOtherSessionsAsync(user, Contexts.Home);
        }

        var seen = new List<Guid>();
        string? token = null;
        do
        {
            var page = (await _h.Accounts().ListActivityAsync(user, 3, token)).Value;
            Assert.True(page.Items.Count <= 3);
            seen.AddRange(page.Items.Select(e => e.Id));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        var all = _h.Query(db => db.Set<ActivityEntry>().Select(e => e.Id).ToList());
        Assert.Equal(all.Count, seen.Count);
        Assert.Equal(all.Order(), seen.Order());
    }

    [Fact]
    [Trait("Rule", "ACC-6")]
    public async Task Activity_RefusesAForgedPageToken()
    {
        await _h.SignUpAsync();
        var session = await _h.SignInAsync();
        var user = (await _h.Accounts().AuthenticateAsync(session.Token)).Value;

        var result = await _h.Accounts().ListActivityAsync(user, 10, "not-a-token");

        var error = ResultAssert.Fails(result, "INVALID_PAGE_TOKEN");
        Assert.Equal("page_token", Assert.Single(error.Fields).Field);
    }
}
