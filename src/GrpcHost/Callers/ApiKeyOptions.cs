namespace Hosting.GrpcHost.Callers;

/// <summary>The API keys of backend services, from configuration (<c>ApiKeys:Keys:N:...</c>).</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "ApiKeys";

    /// <summary>The shortest key accepted: shorter ones are guessable.</summary>
    public const int MinimumKeyLength = 32;

    /// <summary>The keys.</summary>
    public List<ApiKey> Keys { get; set; } = [];

    /// <summary>
    /// Refuses configured keys that could never be used (shorter than <see cref="MinimumKeyLength"/>, or
    /// empty), naming the entry and never the key: an unusable key would otherwise surface only as
    /// refused calls.
    /// </summary>
    public void EnsureUsable()
    {
        var problems = Keys
            .Select((key, index) => (key, index))
            .Where(k => k.key.Key.Length < MinimumKeyLength)
            .Select(k => $"{Section}:Keys:{k.index}{(string.IsNullOrEmpty(k.key.Name) ? string.Empty : $" ({k.key.Name})")}")
            .ToList();
        if (problems.Count > 0)
        {
            throw new Infrastructure.HostStartupException(
                $"API keys must be at least {MinimumKeyLength} characters; too short: {string.Join(", ", problems)}. Generate one with `openssl rand -base64 32`.");
        }
    }
}

/// <summary>One backend service's key.</summary>
public sealed class ApiKey
{
    /// <summary>Who holds it, for logs and audits.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The secret itself (at least 32 characters).</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>What it may call, such as <c>mailbox.credentials</c> or <c>support</c>.</summary>
    public List<string> Scopes { get; set; } = [];
}
