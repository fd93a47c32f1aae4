using Grpc.Core;

namespace Hosting.Tests.Support;

/// <summary>Walks a paginated list (API-4) and checks how it treats a token it never issued.</summary>
public static class Paging
{
    /// <summary>Every item over all pages, asking <paramref name="page"/> with each next_page_token until it is empty.</summary>
    public static async Task<List<T>> WalkAsync<T>(Func<string, Task<(IEnumerable<T> Items, string Next)>> page)
    {
        var all = new List<T>();
        var token = string.Empty;
        for (var pages = 1; ; pages++)
        {
            var (items, next) = await page(token);
            all.AddRange(items);
            if (next.Length == 0)
            {
                return all;
            }

            Assert.True(pages < 100, "the list never ends");
            token = next;
        }
    }

    /// <summary>Walks the list two items a page and checks it returns exactly <paramref name="expected"/>, in that order.</summary>
    public static async Task AssertWalksAsync(IReadOnlyList<string> expected, Func<int, string, Task<(IEnumerable<string> Items, string Next)>> page)
    {
        var walked = await WalkAsync(token => page(2, token));
        Assert.Equal(expected, walked);
        Assert.Equal(walked.Count, walked.Distinct(StringComparer.Ordinal).Count());
        var (whole, next) = await page(0, string.Empty);
        Assert.Equal(walked, whole);
        Assert.Equal(string.Empty, next);
    }

    /// <summary>A token the service did not issue is INVALID_ARGUMENT INVALID_PAGE_TOKEN on the field page_token.</summary>
    public static async Task AssertRefusesForeignTokenAsync(Func<string, Task> call)
    {
        var status = await RpcAssert.FailsAsync(() => call("not-a-token"), StatusCode.InvalidArgument, "INVALID_PAGE_TOKEN");
        Assert.Equal("page_token", status.ViolatedField());
    }
}
