namespace Hosting.GrpcHost.Callers;

/// <summary>The API keys of backend services, from configuration (<c>ApiKeys:Keys:N:...</c>).</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "ApiKeys";

    /// <summary>The keys.</summary>
    public List<ApiKey> Keys { get; set; } = [];
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
