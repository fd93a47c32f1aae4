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
    /// <summary>Unsent, unparked, unclaimed messages due at <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<OutboxMessage>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> messages given up on, oldest first, after a keyset position (API-4).</summary>
    Task<IReadOnlyList<OutboxMessage>> ParkedAsync(Shared.PageToken? after, int max, CancellationToken cancellationToken);

    /// <summary>Commits the changes made to the messages returned.</summary>
    Task SaveChangesAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Hands due outbox messages to the sender, one at a time, recording each outcome. Every host may
/// run it: a message is claimed (optimistic concurrency) before it is sent, so only one
/// dispatcher sends it, and it is marked sent as soon as the sender acknowledges it.
/// </summary>
public sealed class NotificationDispatcher(IOutboxStore outbox, INotificationSender sender, TimeProvider clock)
{
    /// <summary>Told of each failed delivery (for logs; the message's body is never passed on).</summary>
    public event Action<string, Guid, Exception>? DeliveryFailed;

    /// <summary>How long a claim holds before another dispatcher may retry a message.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(2);

    /// <summary>Sends what is due; returns how many were sent.</summary>
    public async Task<int> DispatchDueAsync(int max, CancellationToken cancellationToken)
    {
        var due = await outbox.DueAsync(clock.GetUtcNow(), max, cancellationToken).ConfigureAwait(false);
        var sent = 0;
        foreach (var message in due)
        {
            message.Claim(clock.GetUtcNow(), ClaimLease);
            try
            {
                await outbox.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Shared.ConcurrencyConflictException)
            {
                // Another dispatcher claimed it first: the rest of this batch may be stale too.
                break;
            }

            try
            {
                await sender.SendAsync(message, cancellationToken).ConfigureAwait(false);
                message.MarkSent(clock.GetUtcNow());
                sent++;
            }
#pragma warning disable CA1031 // any delivery failure is retried later; the loop must go on
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                message.MarkFailed(clock.GetUtcNow());
                DeliveryFailed?.Invoke(message.Kind, message.Id, e);
            }

            // Saved per message so that a crash never re-sends a message already acknowledged.
            await outbox.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        return sent;
    }
}
