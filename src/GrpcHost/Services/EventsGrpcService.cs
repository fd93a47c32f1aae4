using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hosting.Core.Events;
using Hosting.Events.V1;
using Hosting.GrpcHost.Callers;
using Hosting.GrpcHost.Errors;

namespace Hosting.GrpcHost.Services;

/// <summary>The feed of changes for backend services (EVT-2), for API keys with the <c>events</c> scope.</summary>
internal sealed class EventsGrpcService(EventFeed feed, EventSignal signal, EventOptions options, TimeProvider clock) : EventsService.EventsServiceBase
{
    /// <summary>The scope of the API keys that read the feed.</summary>
    public const string Scope = "events";

    private const int WatchPage = 200;

    [ServiceCaller(Scope)]
    public override async Task<ListEventsResponse> ListEvents(ListEventsRequest request, ServerCallContext context)
    {
        var organization = OrganizationOf(request.Organization);
        var page = (await feed.ListAsync(request.Cursor, request.Types_, organization, request.PageSize, context.CancellationToken)).OrThrow();
        var response = new ListEventsResponse { NextCursor = page.Next?.Encode() ?? string.Empty };
        response.Events.AddRange(page.Events.Select(ToProto));
        return response;
    }

    [ServiceCaller(Scope)]
    public override async Task WatchEvents(WatchEventsRequest request, IServerStreamWriter<WatchEventsResponse> responseStream, ServerCallContext context)
    {
        var (after, filter, _) = feed.Validate(request.Cursor, request.Types_, OrganizationOf(request.Organization), 0).OrThrow();
        var ct = context.CancellationToken;
        var lastSent = clock.GetUtcNow();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // Taken before the read: a commit between the read and the wait still wakes us.
                var woken = signal.Next;
                var page = await feed.ReadAsync(after, filter, WatchPage, ct);
                foreach (var e in page.Events)
                {
                    await responseStream.WriteAsync(new WatchEventsResponse { Event = ToProto(e) }, ct);
                }

                after = page.Next;
                if (page.Events.Count > 0)
                {
                    lastSent = clock.GetUtcNow();
                    if (page.Events.Count == WatchPage)
                    {
                        continue;
                    }
                }
                else if (clock.GetUtcNow() - lastSent >= options.HeartbeatInterval)
                {
                    await responseStream.WriteAsync(new WatchEventsResponse { Heartbeat = new Heartbeat { Cursor = after?.Encode() ?? string.Empty, Time = Timestamp.FromDateTimeOffset(clock.GetUtcNow()) } }, ct);
                    lastSent = clock.GetUtcNow();
                }

                if (await Task.WhenAny(woken, Task.Delay(options.PollInterval, clock, ct)) == woken && options.WakeDelay > TimeSpan.Zero)
                {
                    await Task.Delay(options.WakeDelay, clock, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The watcher went away; it resumes from its last cursor.
        }
    }

    private static Guid? OrganizationOf(string name) =>
        string.IsNullOrEmpty(name) ? null : ResourceNames.ParseOrganization(name, "organization").OrThrow();

    private static Event ToProto(HostingEvent e)
    {
        var proto = new Event
        {
            Id = e.Id.ToString(),
            Cursor = e.Cursor.Encode(),
            Type = e.Type,
            Time = Timestamp.FromDateTimeOffset(e.OccurredAt),
            Organization = e.OrganizationId is { } id ? $"organizations/{id}" : string.Empty,
            Resource = e.Resource,
        };
        proto.Data.Add(e.Fields());
        return proto;
    }
}
