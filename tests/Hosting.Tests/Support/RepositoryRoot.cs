namespace Hosting.Tests.Support;

/// <summary>The checkout this test assembly was built from.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Hosting.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Hosting.slnx not found above " + AppContext.BaseDirectory);
    }
}
