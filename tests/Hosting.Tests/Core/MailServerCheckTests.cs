using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>The mail servers' check of address and mailbox password (MBX-1, MBX-6).</summary>
public sealed class MailServerCheckTests : IDisposable
{
    private readonly MailboxWorld _w = new();

    public void Dispose() => _w.Dispose();

    private async Task FailAsync(string address, int times)
    {
        for (var i = 0; i < times; i++)
        {
            ResultAssert.Fails(await _w.Mailboxes.CheckCredentialsAsync(address, $"guess number {i} here"), "INVALID_CREDENTIALS");
        }
    }

    [Fact]
    [Trait("Rule", "MBX-1")]
    public async Task AMalformedAddressOrAMissingPassword_IsInvalidCredentials()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");

        ResultAssert.Fails(await _w.Mailboxes.CheckCredentialsAsync("not an address", MailboxWorld.MailboxPassword), "INVALID_CREDENTIALS");
        ResultAssert.Fails(await _w.Mailboxes.CheckCredentialsAsync(null, MailboxWorld.MailboxPassword), "INVALID_CREDENTIALS");
        ResultAssert.Fails(await _w.Mailboxes.CheckCredentialsAsync(_w.Address("info"), null), "INVALID_CREDENTIALS");
        ResultAssert.Fails(await _w.Mailboxes.CheckCredentialsAsync(_w.Address("info"), string.Empty), "INVALID_CREDENTIALS");
        ResultAssert.Fails(await _w.Mailboxes.CheckCredentialsAsync(_w.Address("info"), "broken \uD800 text"), "INVALID_CREDENTIALS");
    }

    [Fact]
    [Trait("Rule", "MBX-1")]
    public async Task TheAddress_IsMatchedWhateverItsCase()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");

        Assert.True((await _w.Mailboxes.CheckCredentialsAsync(_w.Address("INFO"), MailboxWorld.MailboxPassword)).IsSuccess);
    }

    [Fact]
    [Trait("Rule", "MBX-1")]
    public async Task AnUnknownAddress_IsThrottled_AsAKnownOneIs()
    {
        await _w.SetUpAsync();

        await FailAsync(_w.Address("nobody"), _w.H.Options.Throttle.FreeAttempts);

        ResultAssert.Fails(await _w.Mailboxes.CheckCredentialsAsync(_w.Address("nobody"), MailboxWorld.MailboxPassword), "SIGN_IN_THROTTLED");
    }

    [Fact]
    [Trait("Rule", "MBX-1")]
    public async Task ARightPassword_StartsTheThrottleAfresh()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");
        var belowTheLimit = _w.H.Options.Throttle.FreeAttempts - 1;

        await FailAsync(_w.Address("info"), belowTheLimit);
        Assert.True(await _w.MailAppSignsInAsync("info", MailboxWorld.MailboxPassword));
        await FailAsync(_w.Address("info"), belowTheLimit);

        Assert.True(await _w.MailAppSignsInAsync("info", MailboxWorld.MailboxPassword));
    }

    [Fact]
    [Trait("Rule", "MBX-1")]
    public async Task ThrottledAttempts_AreNotCountedAsFailures()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");
        await FailAsync(_w.Address("info"), _w.H.Options.Throttle.FreeAttempts);
        for (var i = 0; i < _w.H.Options.Throttle.LockAfter; i++)
        {
            ResultAssert.Fails(await _w.Mailboxes.CheckCredentialsAsync(_w.Address("info"), "another guess here"), "SIGN_IN_THROTTLED");
        }

        _w.H.Clock.Advance(_w.H.Options.Throttle.MaxDelay);

        Assert.True(await _w.MailAppSignsInAsync("info", MailboxWorld.MailboxPassword));
    }

    [Fact]
    [Trait("Rule", "MBX-6")]
    public async Task AMailboxOfATerminatedService_IsRefused_OnlyOnceItsPasswordIsRight()
    {
        await _w.SetUpAsync();
        await _w.MailboxAsync("info");
        Assert.True((await _w.Organizations.TerminateProductAsync(_w.Owner, _w.OrganizationId, _w.MailServiceId)).IsSuccess);

        ResultAssert.Fails(await _w.Mailboxes.CheckCredentialsAsync(_w.Address("info"), "wrong password here"), "INVALID_CREDENTIALS");
        ResultAssert.Fails(await _w.Mailboxes.CheckCredentialsAsync(_w.Address("info"), MailboxWorld.MailboxPassword), "PRODUCT_NOT_ACTIVE");
    }
}
