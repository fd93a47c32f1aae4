namespace Hosting.LoadDriver;

/// <summary>The report's fixed text: method, and why each goal may be missed with what would reach it.</summary>
internal static class Explanations
{
    public static string Why(string id) => id switch
    {
        _ => "see the Method section.",
    };

    public const string Method = """
## Method

TODO
""";
}
