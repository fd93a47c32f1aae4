using Hosting.Core.Wallets;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

/// <summary>The event recorder's hold on EF's automatic change detection during a save (EVT-1).</summary>
public sealed class EventRecorderTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    [Trait("Rule", "EVT-1")]
    public async Task ASaveWhoseEventsCannotBeRecorded_Fails_AndLeavesChangeDetectionOn()
    {
        await using var db = _h.NewDb();
        var wallet = Wallet.Open(Guid.NewGuid(), Guid.NewGuid(), "CHF", AccountsHarness.Start);

        // A top-up saved without its wallet tracked: its event cannot name the wallet's organization.
        db.Add(wallet.TopUp(Guid.NewGuid(), 5_000, "gw-1", AccountsHarness.Start));

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        Assert.True(db.ChangeTracker.AutoDetectChangesEnabled);
    }
}
