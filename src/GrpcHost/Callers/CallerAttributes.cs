namespace Hosting.GrpcHost.Callers;

/// <summary>
/// Declares who may call an RPC. Every RPC carries exactly one; an RPC without one is refused
/// (fail closed), and a test checks that none is missing.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public abstract class CallerAttribute : Attribute;

/// <summary>Anyone, without credentials (sign-up, sign-in, password reset).</summary>
public sealed class AnonymousCallerAttribute : CallerAttribute;

/// <summary>A signed-in user: a session bearer token in the <c>authorization</c> metadata.</summary>
public sealed class UserCallerAttribute : CallerAttribute
{
    /// <summary>
    /// Whether an account whose login is not confirmed yet may call (ACC-12): only the calls that
    /// confirm it, read it or end its session. Every other call refuses it with LOGIN_NOT_CONFIRMED.
    /// </summary>
    public bool AllowUnconfirmedLogin { get; init; }
}

/// <summary>A backend service: an API key in the <c>x-api-key</c> metadata whose scopes include <see cref="Scope"/>.</summary>
public sealed class ServiceCallerAttribute(string scope) : CallerAttribute
{
    /// <summary>The scope the key needs.</summary>
    public string Scope { get; } = scope;
}
