using Hosting.Core.Accounts;

namespace Hosting.GrpcHost.Callers;

/// <summary>Who is calling, once authenticated.</summary>
public abstract record Caller;

/// <summary>Nobody in particular.</summary>
public sealed record AnonymousCaller : Caller
{
    /// <summary>The one value.</summary>
    public static readonly AnonymousCaller Instance = new();
}

/// <summary>A signed-in user.</summary>
public sealed record UserCaller(AuthenticatedUser User) : Caller;

/// <summary>A backend service identified by its API key's name.</summary>
public sealed record ServiceCaller(string Name, IReadOnlySet<string> Scopes) : Caller;
