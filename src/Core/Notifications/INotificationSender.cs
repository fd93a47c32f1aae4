namespace Hosting.Core.Notifications;

/// <summary>Delivers a notification (email). Implementations must throw when delivery fails.</summary>
public interface INotificationSender
{
    /// <summary>Sends one message.</summary>
    Task SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}

/// <summary>The outbox as the dispatcher sees it.</summary>
public interface IOutboxStore
{
    /// <summary>Unsent messages due at <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<OutboxMessage>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>Commits the changes made to the messages returned.</summary>
    Task SaveChangesAsync(CancellationToken cancellationToken);
}

/// <summary>Hands due outbox messages to the sender, one at a time, recording each outcome.</summary>
public sealed class NotificationDispatcher(IOutboxStore outbox, INotificationSender sender, TimeProvider clock)
{
    /// <summary>Sends what is due; returns how many were sent.</summary>
    public async Task<int> DispatchDueAsync(int max, CancellationToken cancellationToken)
    {
        var due = await outbox.DueAsync(clock.GetUtcNow(), max, cancellationToken).ConfigureAwait(false);
        var sent = 0;
        foreach (var message in due)
        {
            try
            {
                await sender.SendAsync(message, cancellationToken).ConfigureAwait(false);
                message.MarkSent(clock.GetUtcNow());
                sent++;
            }
#pragma warning disable CA1031 // any delivery failure is retried later; the loop must go on
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                message.MarkFailed(clock.GetUtcNow());
            }

            // Saved per message so that a crash never re-sends a message already acknowledged.
            await outbox.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        return sent;
    }
}
