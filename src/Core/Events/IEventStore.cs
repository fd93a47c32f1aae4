namespace Hosting.Core.Events;

/// <summary>What a reader asks of the feed: the types and organization it follows (empty: all).</summary>
public sealed record EventFilter(IReadOnlySet<string> Types, Guid? OrganizationId);

/// <summary>The stored feed (EVT-1, EVT-2).</summary>
public interface IEventStore
{
    /// <summary>
    /// Up to <paramref name="limit"/> events after <paramref name="after"/> (from the oldest kept when
    /// null) in feed order, matching <paramref name="filter"/>, and only events no transaction still
    /// open could precede.
    /// </summary>
    Task<IReadOnlyList<HostingEvent>> ReadAsync(EventCursor? after, int limit, EventFilter filter, CancellationToken cancellationToken);

    /// <summary>Deletes the events that happened before <paramref name="before"/>; returns how many.</summary>
    Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken);
}

/// <summary>How long events are kept and how a watch paces itself.</summary>
public sealed record EventOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Events";

    /// <summary>How long events are kept (EVT-2).</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How often a caught-up watch looks for new events when nothing woke it.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a watch woken by a commit waits before reading, so that one read serves the commits
    /// of that moment rather than one read per commit under load.
    /// </summary>
    public TimeSpan WakeDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How often a quiet watch sends a heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often retention runs.</summary>
    public TimeSpan PurgeInterval { get; init; } = TimeSpan.FromHours(1);
}
