namespace Hosting.Core.Shared;

/// <summary>Waits written for people, in the messages that carry a RetryInfo beside them.</summary>
public static class Durations
{
    /// <summary>The wait rounded up to whole seconds, minutes or hours: "1 second", "40 seconds", "15 minutes".</summary>
    public static string Describe(TimeSpan wait)
    {
        var seconds = (long)Math.Ceiling(Math.Max(1, wait.TotalSeconds));
        return seconds < 120 ? Plural(seconds, "second")
            : seconds < 2 * 3600 ? Plural((seconds + 59) / 60, "minute")
            : Plural((seconds + 3599) / 3600, "hour");
    }

    private static string Plural(long count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
