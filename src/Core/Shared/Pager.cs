namespace Hosting.Core.Shared;

/// <summary>Pages a list held in memory in ascending (time, id) order with the same opaque tokens as the stores.</summary>
public static class Pager
{
    /// <summary>One page after <paramref name="pageToken"/>; errors name page_size or page_token.</summary>
    public static Result<Page<T>> Apply<T>(IEnumerable<T> items, Func<T, PageToken> key, int pageSize, string? pageToken)
    {
        var page = PageRequest.Parse(pageSize, pageToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var ordered = items.OrderBy(i => key(i).Time).ThenBy(i => key(i).Id);
        var rest = page.Value.After is { } a
            ? ordered.Where(i => key(i).Time > a.Time || (key(i).Time == a.Time && key(i).Id.CompareTo(a.Id) > 0))
            : ordered;
        return page.Value.Cut(rest.Take(page.Value.Fetch).ToList(), key);
    }
}
