using Hosting.Core.Notifications;
using Hosting.Core.Shared;
using Hosting.Persistence.Stores;
using Hosting.Tests.Support;

namespace Hosting.Tests.Core;

public sealed class NotificationDispatcherTests : IDisposable
{
    private readonly AccountsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private void Queue(int count)
    {
        using var db = _h.NewDb();
        for (var i = 0; i < count; i++)
        {
            db.Add(OutboxMessage.Queue(_h.Random.NewId(), "test", $"r{i}@example.com", "Subject", $"Body {i}", _h.Clock.GetUtcNow()));
        }

        db.SaveChanges();
    }

    private NotificationDispatcher Dispatcher(INotificationSender sender) => new(new EfOutboxStore(_h.NewDb()), sender, _h.Clock);

    private sealed class RecordingSender(Func<OutboxMessage, Task>? during = null, bool fail = false) : INotificationSender
    {
        public List<string> Sent { get; } = [];

        public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            if (during is not null)
            {
                await during(message);
            }

            if (fail)
            {
                throw new IOException("SMTP server unavailable");
            }

            Sent.Add(message.Recipient);
        }
    }

    [Fact]
    [Trait("Rule", "ACC-5")]
    public async Task AMessageAcknowledgedBySender_IsMarkedSent_WithoutItsBody_AndNeverSentAgain()
    {
        Queue(3);
        var sender = new RecordingSender();

        Assert.Equal(3, await Dispatcher(sender).DispatchDueAsync(10, CancellationToken.None));
        Assert.Equal(0, await Dispatcher(sender).DispatchDueAsync(10, CancellationToken.None));

        Assert.Equal(3, sender.Sent.Count);
        Assert.All(_h.Outbox(), m => Assert.Equal(string.Empty, m.Body));
    }

    [Fact]
    [Trait("Rule", "ACC-5")]
    public async Task ASecondDispatcherRunningMeanwhile_DoesNotSendAClaimedMessage()
    {
        Queue(1);
        var other = new RecordingSender();
        var first = new RecordingSender(during: async _ => await Dispatcher(other).DispatchDueAsync(10, CancellationToken.None));

        await Dispatcher(first).DispatchDueAsync(10, CancellationToken.None);

        Assert.Single(first.Sent);
        Assert.Empty(other.Sent);
    }

    [Fact]
    [Trait("Rule", "ACC-5")]
    public async Task TwoDispatchersReadingTheSameMessage_OnlyOneClaimsIt()
    {
        Queue(1);
        var storeA = new EfOutboxStore(_h.NewDb());
        var storeB = new EfOutboxStore(_h.NewDb());
        var a = Assert.Single(await storeA.DueAsync(_h.Clock.GetUtcNow(), 10, CancellationToken.None));
        var b = Assert.Single(await storeB.DueAsync(_h.Clock.GetUtcNow(), 10, CancellationToken.None));

        a.Claim(_h.Clock.GetUtcNow(), NotificationDispatcher.ClaimLease);
        await storeA.SaveChangesAsync(CancellationToken.None);
        b.Claim(_h.Clock.GetUtcNow(), NotificationDispatcher.ClaimLease);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => storeB.SaveChangesAsync(CancellationToken.None));
    }

    [Fact]
    [Trait("Rule", "ACC-5")]
    public void EachFailure_DoublesTheWaitUpToAnHour_AndTheLastAllowedFailureParksTheMessage()
    {
        var now = AccountsHarness.Start;
        var message = OutboxMessage.Queue(Guid.NewGuid(), "kind", "ann@example.com", "Subject", "Body", now);
        message.Claim(now, TimeSpan.FromMinutes(5));

        var waits = new List<double>();
        for (var attempt = 1; attempt <= 13; attempt++)
        {
            message.MarkFailed(now);
            waits.Add((message.NextAttemptAt - now).TotalSeconds);
            Assert.Null(message.ClaimedUntil);
            Assert.Equal(attempt >= OutboxMessage.MaxAttempts, message.ParkedAt == now);
        }

        Assert.Equal([2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600], waits);
        Assert.Equal(13, message.Attempts);
    }

    [Fact]
    [Trait("Rule", "ACC-5")]
    public async Task AFailingMessage_BacksOff_ThenIsParkedAndListed()
    {
        Queue(1);
        var failing = new RecordingSender(fail: true);
        var told = new List<(string Kind, Guid Id, Exception Error)>();

        for (var i = 0; i < OutboxMessage.MaxAttempts; i++)
        {
            var dispatcher = Dispatcher(failing);
            dispatcher.DeliveryFailed += (kind, id, e) => told.Add((kind, id, e));
            Assert.Equal(0, await dispatcher.DispatchDueAsync(10, CancellationToken.None));
            Assert.Equal(0, await Dispatcher(failing).DispatchDueAsync(10, CancellationToken.None));
            _h.Clock.Advance(TimeSpan.FromHours(1));
        }

        // Each failed delivery is told once, by kind and id, for the logs.
        Assert.Equal(OutboxMessage.MaxAttempts, told.Count);
        Assert.All(told, t => Assert.Equal(("test", _h.Outbox().Single().Id), (t.Kind, t.Id)));
        Assert.All(told, t => Assert.IsType<IOException>(t.Error));

        var parked = Assert.Single(await new EfOutboxStore(_h.NewDb()).ParkedAsync(null, 10, CancellationToken.None));
        Assert.Equal(OutboxMessage.MaxAttempts, parked.Attempts);
        var working = new RecordingSender();
        Assert.Equal(0, await Dispatcher(working).DispatchDueAsync(10, CancellationToken.None));
    }
}
