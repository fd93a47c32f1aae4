using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Hosting.Core.Shared;

namespace Hosting.Core.Events;

/// <summary>
/// A reader's place in the feed: after the event at (<paramref name="Transaction"/>,
/// <paramref name="Position"/>), which happened at <paramref name="At"/> (the age checked
/// against retention). Opaque to clients.
/// </summary>
public sealed record EventCursor(long Transaction, long Position, DateTimeOffset At)
{
    private const string Version = "e1";

    /// <summary>The opaque text form.</summary>
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Version}.{Transaction}.{Position}.{At.UtcTicks}")));

    /// <summary>Reads a cursor; null for the empty cursor (the oldest event kept).</summary>
    public static Result<EventCursor?> Decode(string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Result<EventCursor?>.Ok(null);
        }

        try
        {
            var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split('.');
            if (parts.Length == 4 && parts[0] == Version
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var transaction)
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var position)
                && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks)
            {
                return new EventCursor(transaction, position, new DateTimeOffset(ticks, TimeSpan.Zero));
            }
        }
        catch (FormatException)
        {
        }

        return DomainError.Invalid(field, "INVALID_EVENT_CURSOR", "The cursor is not one this service handed out; start from an empty cursor or a cursor of an event.");
    }
}
