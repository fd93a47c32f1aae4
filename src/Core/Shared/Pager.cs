namespace Hosting.Core.Shared;

/// <summary>Pages a list held in memory in ascending (time, id) order with the same opaque tokens as the stores.</summary>
public static class Pager
{
    /// <summary>One page after <paramref name="pageToken"/>; errors name page_size or page_token.</summary>
    public static Result<Page<T>> Apply<T>(IEnumerable<T> items, Func<T, PageToken> key, int pageSize, string? pageToken)
    {
        var size = PageToken.Size(pageSize);
        if (!size.IsSuccess)
        {
            return size.Error;
        }

        var after = PageToken.Decode(pageToken);
        if (!after.IsSuccess)
        {
            return after.Error;
        }

        var ordered = items.OrderBy(i => key(i).Time).ThenBy(i => key(i).Id);
        var rest = after.Value is { } a
            ? ordered.Where(i => key(i).Time > a.Time || (key(i).Time == a.Time && key(i).Id.CompareTo(a.Id) > 0))
            : ordered;
        var rows = rest.Take(size.Value + 1).ToList();
        var page = rows.Take(size.Value).ToList();
        return new Page<T>(page, rows.Count > size.Value ? key(page[^1]).Encode() : string.Empty);
    }
}
