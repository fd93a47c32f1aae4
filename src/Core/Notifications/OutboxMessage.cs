namespace Hosting.Core.Notifications;

/// <summary>
/// A notification waiting to be sent, written in the same transaction as the change that causes
/// it, so a change is never committed without its notification or the other way round.
/// </summary>
public sealed class OutboxMessage
{
    private OutboxMessage(Guid id, string kind, string recipient, string subject, string body, DateTimeOffset createdAt)
    {
        Id = id;
        Kind = kind;
        Recipient = recipient;
        Subject = subject;
        Body = body;
        CreatedAt = createdAt;
        NextAttemptAt = createdAt;
    }

    /// <summary>The message's id.</summary>
    public Guid Id { get; private set; }

    /// <summary>A stable kind, such as <c>new-location-sign-in</c>.</summary>
    public string Kind { get; private set; }

    /// <summary>The email address it goes to.</summary>
    public string Recipient { get; private set; }

    /// <summary>The subject line.</summary>
    public string Subject { get; private set; }

    /// <summary>The text; cleared once sent, since it may carry a reset link.</summary>
    public string Body { get; private set; }

    /// <summary>When it was queued.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When it was handed to the sender, if it was.</summary>
    public DateTimeOffset? SentAt { get; private set; }

    /// <summary>Failed attempts so far.</summary>
    public int Attempts { get; private set; }

    /// <summary>Not to be tried before this.</summary>
    public DateTimeOffset NextAttemptAt { get; private set; }

    /// <summary>A dispatcher holds the message until then; others leave it alone.</summary>
    public DateTimeOffset? ClaimedUntil { get; private set; }

    /// <summary>When it was given up on after too many failures; parked messages are listed for operators.</summary>
    public DateTimeOffset? ParkedAt { get; private set; }

    /// <summary>Optimistic concurrency token: one dispatcher wins each claim.</summary>
    public int Version { get; private set; }

    /// <summary>Failed attempts after which a message is parked.</summary>
    public const int MaxAttempts = 8;

    /// <summary>Queues a message.</summary>
    public static OutboxMessage Queue(Guid id, string kind, string recipient, string subject, string body, DateTimeOffset now) =>
        new(id, kind, recipient, subject, body, now);

    /// <summary>Claims the message for one dispatcher until <paramref name="now"/> + <paramref name="lease"/>.</summary>
    public void Claim(DateTimeOffset now, TimeSpan lease)
    {
        ClaimedUntil = now + lease;
        Version++;
    }

    /// <summary>Marks it sent and drops the body.</summary>
    public void MarkSent(DateTimeOffset now)
    {
        SentAt = now;
        Body = string.Empty;
        ClaimedUntil = null;
        Version++;
    }

    /// <summary>Counts a failed attempt and backs off exponentially (capped at an hour); parks it after <see cref="MaxAttempts"/>.</summary>
    public void MarkFailed(DateTimeOffset now)
    {
        Attempts++;
        var seconds = Math.Min(3600, Math.Pow(2, Math.Min(Attempts, 12)));
        NextAttemptAt = now + TimeSpan.FromSeconds(seconds);
        ClaimedUntil = null;
        if (Attempts >= MaxAttempts)
        {
            ParkedAt = now;
        }

        Version++;
    }
}
