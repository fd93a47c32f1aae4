using Hosting.Core.Shared;

namespace Hosting.Core.Events;

/// <summary>A page of the feed and where to resume after it.</summary>
public sealed record EventPage(IReadOnlyList<HostingEvent> Events, EventCursor? Next);

/// <summary>
/// Reading the feed (EVT-2): one total order, by cursor, filtered by type and organization. The
/// caller's right to read is the host's (API keys with the <c>events</c> scope).
/// </summary>
public sealed class EventFeed(IEventStore store, TimeProvider clock, EventOptions options)
{
    /// <summary>Largest page.</summary>
    public const int MaxPageSize = 500;

    /// <summary>Default page.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>Checks a reader's request: the cursor (kept, not expired), the types (known) and the page size.</summary>
    public Result<(EventCursor? After, EventFilter Filter, int Limit)> Validate(string? cursor, IEnumerable<string> types, Guid? organizationId, int pageSize)
    {
        var after = EventCursor.Decode(cursor, "cursor");
        if (!after.IsSuccess)
        {
            return after.Error;
        }

        if (after.Value is { } c && c.At < clock.GetUtcNow() - options.Retention)
        {
            return new DomainError(ErrorKind.FailedPrecondition, "EVENT_CURSOR_EXPIRED",
                $"The cursor is older than the {options.Retention.TotalDays:0} days events are kept: resynchronize from the lists, then follow the feed from an empty cursor.")
            { Fields = [new FieldViolation("cursor", "EVENT_CURSOR_EXPIRED", "older than retention")] };
        }

        var wanted = types.ToHashSet(StringComparer.Ordinal);
        if (wanted.FirstOrDefault(t => !EventTypes.All.Contains(t)) is { } unknown)
        {
            return DomainError.Invalid("types", "UNKNOWN_EVENT_TYPE", $"'{unknown}' is not an event type; known: {string.Join(", ", EventTypes.All.Order())}.");
        }

        if (pageSize is < 0 or > MaxPageSize)
        {
            return DomainError.Invalid("page_size", "INVALID_PAGE_SIZE", $"page_size must be 0 to {MaxPageSize}.");
        }

        return (after.Value, new EventFilter(wanted, organizationId), pageSize == 0 ? DefaultPageSize : pageSize);
    }

    /// <summary>One page after <paramref name="cursor"/>; the next cursor stays where it was when nothing came.</summary>
    public async Task<Result<EventPage>> ListAsync(string? cursor, IEnumerable<string> types, Guid? organizationId, int pageSize, CancellationToken ct = default)
    {
        var request = Validate(cursor, types, organizationId, pageSize);
        if (!request.IsSuccess)
        {
            return request.Error;
        }

        var (after, filter, limit) = request.Value;
        return await ReadAsync(after, filter, limit, ct).ConfigureAwait(false);
    }

    /// <summary>One page of a validated request.</summary>
    public async Task<EventPage> ReadAsync(EventCursor? after, EventFilter filter, int limit, CancellationToken ct = default)
    {
        var events = await store.ReadAsync(after, limit, filter, ct).ConfigureAwait(false);
        return new EventPage(events, events.Count > 0 ? events[^1].Cursor : after);
    }

    /// <summary>Retention (EVT-2): forgets the events older than the configured time.</summary>
    public Task<int> PurgeAsync(CancellationToken ct = default) =>
        store.PurgeAsync(clock.GetUtcNow() - options.Retention, ct);
}
