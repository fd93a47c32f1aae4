using System.Collections.Frozen;

namespace Hosting.Core.Security;

/// <summary>Passwords too common to accept (ACC-2).</summary>
public interface ICommonPasswords
{
    /// <summary>Whether the password is on the list (compared case-insensitively).</summary>
    bool Contains(string password);
}

/// <summary>
/// The 30,000 most common passwords shipped in zxcvbn-core's dictionaries, read from that
/// package's resources rather than copied into this repository.
/// </summary>
public sealed class ZxcvbnCommonPasswords : ICommonPasswords
{
    private const string ResourceName = "zxcvbn-core.Dictionaries.passwords.lst";

    private static readonly Lazy<FrozenSet<string>> List = new(Load);

    /// <summary>How many passwords the list holds.</summary>
    public static int Count => List.Value.Count;

    /// <inheritdoc />
    public bool Contains(string password) => List.Value.Contains(password.ToLowerInvariant());

    private static FrozenSet<string> Load()
    {
        var assembly = typeof(Zxcvbn.Zxcvbn).Assembly;
        using var stream = assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"zxcvbn-core no longer ships {ResourceName}.");
        using var reader = new StreamReader(stream);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var word = line.Trim();
            if (word.Length > 0)
            {
                words.Add(word.ToLowerInvariant());
            }
        }

        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
