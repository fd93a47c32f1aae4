using System.Globalization;
using System.Text;

namespace Hosting.Core.Shared;

/// <summary>
/// An opaque keyset position (time, id) for lists ordered newest first (API-4): stable under
/// inserts, unlike offsets.
/// </summary>
public readonly record struct PageToken(DateTimeOffset Time, Guid Id)
{
    /// <summary>Default page size.</summary>
    public const int DefaultSize = 50;

    /// <summary>Largest page size served.</summary>
    public const int MaxSize = 200;

    /// <summary>The token's wire form.</summary>
    public string Encode() =>
        Secrets.Base64Url(Encoding.UTF8.GetBytes($"{Time.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{Id:N}"));

    /// <summary>Reads a token; empty means the first page.</summary>
    public static Result<PageToken?> Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return Result<PageToken?>.Ok(null);
        }

        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded = padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            var parts = text.Split(':');
            if (parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
                && Guid.TryParseExact(parts[1], "N", out var id))
            {
                return Result<PageToken?>.Ok(new PageToken(new DateTimeOffset(ticks, TimeSpan.Zero), id));
            }
        }
        catch (FormatException)
        {
            // falls through to the error below
        }

        return DomainError.Invalid("page_token", "INVALID_PAGE_TOKEN", "The page token is not one this service issued.");
    }

    /// <summary>Validates a requested page size; 0 means the default.</summary>
    public static Result<int> Size(int requested)
    {
        if (requested < 0)
        {
            return DomainError.Invalid("page_size", "INVALID_PAGE_SIZE", "The page size cannot be negative.");
        }

        return requested == 0 ? DefaultSize : Math.Min(requested, MaxSize);
    }
}

/// <summary>One page of a list.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string NextPageToken);

/// <summary>A validated page request: its size and where it starts (API-4).</summary>
public readonly record struct PageRequest(int Size, PageToken? After)
{
    /// <summary>Validates a page size (0 means the default) and an opaque token; errors name their field.</summary>
    public static Result<PageRequest> Parse(int pageSize, string? pageToken)
    {
        var size = PageToken.Size(pageSize);
        if (!size.IsSuccess)
        {
            return size.Error;
        }

        var after = PageToken.Decode(pageToken);
        return after.IsSuccess ? new PageRequest(size.Value, after.Value) : after.Error;
    }

    /// <summary>How many rows to fetch: one more than the page, to know whether another follows.</summary>
    public int Fetch => Size + 1;

    /// <summary>The page from rows fetched with <see cref="Fetch"/>, with the token of the next one.</summary>
    public Page<T> Cut<T>(IReadOnlyList<T> rows, Func<T, PageToken> position)
    {
        var items = rows.Take(Size).ToArray();
        return new Page<T>(items, rows.Count > Size ? position(items[^1]).Encode() : string.Empty);
    }
}
