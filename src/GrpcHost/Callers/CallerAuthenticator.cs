using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Hosting.Core.Accounts;
using Hosting.Core.Shared;
using Microsoft.Extensions.Options;

namespace Hosting.GrpcHost.Callers;

/// <summary>Establishes the caller an RPC's <see cref="CallerAttribute"/> asks for, from the request metadata.</summary>
public sealed class CallerAuthenticator(AccountService accounts, IOptions<ApiKeyOptions> apiKeys)
{
    /// <summary>The metadata key of user session tokens.</summary>
    public const string AuthorizationHeader = "authorization";

    /// <summary>The metadata key of backend services' API keys.</summary>
    public const string ApiKeyHeader = "x-api-key";

    private static readonly DomainError NoCallerDeclared =
        new(ErrorKind.PermissionDenied, "RPC_NOT_EXPOSED", "This RPC is not open to any caller.");

    private static readonly DomainError ApiKeyRequired =
        new(ErrorKind.Unauthenticated, "API_KEY_REQUIRED", "This call needs a valid API key in the x-api-key metadata.");

    // Same reason as a missing token, so clients handle both alike; the message names what is wrong.
    private static readonly DomainError AuthorizationNotBearer =
        new(ErrorKind.Unauthenticated, "SESSION_REQUIRED", "The authorization metadata must read \"Bearer \" followed by the session token.");

    private static readonly DomainError ScopeMissing =
        new(ErrorKind.PermissionDenied, "API_KEY_SCOPE_MISSING", "The API key does not have the scope this call needs.");

    /// <summary>Authenticates a call against what the RPC declares.</summary>
    public async Task<Result<Caller>> AuthenticateAsync(CallerAttribute? requirement, Metadata headers, CancellationToken ct)
    {
        switch (requirement)
        {
            case AnonymousCallerAttribute:
                return AnonymousCaller.Instance;
            case UserCallerAttribute userCaller:
                if (headers.GetValue(AuthorizationHeader) is not null && BearerToken(headers) is null)
                {
                    return AuthorizationNotBearer;
                }

                var user = await accounts.AuthenticateAsync(BearerToken(headers), userCaller.AllowUnconfirmedLogin, ct);
                return user.IsSuccess ? new UserCaller(user.Value) : user.Error;
            case ServiceCallerAttribute service:
                return AuthenticateService(headers.GetValue(ApiKeyHeader), service.Scope);
            default:
                return NoCallerDeclared;
        }
    }

    private static string? BearerToken(Metadata headers)
    {
        var value = headers.GetValue(AuthorizationHeader);
        const string prefix = "Bearer ";
        return value is not null && value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            ? value[prefix.Length..].Trim()
            : null;
    }

    private Result<Caller> AuthenticateService(string? presented, string scope)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return ApiKeyRequired;
        }

        // Compare digests in constant time so neither content nor length leaks through timing.
        var presentedDigest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        ApiKey? match = null;
        foreach (var key in apiKeys.Value.Keys.Where(k => k.Key.Length >= ApiKeyOptions.MinimumKeyLength))
        {
            if (CryptographicOperations.FixedTimeEquals(presentedDigest, SHA256.HashData(Encoding.UTF8.GetBytes(key.Key))))
            {
                match = key;
            }
        }

        if (match is null)
        {
            return ApiKeyRequired;
        }

        var scopes = match.Scopes.ToHashSet(StringComparer.Ordinal);
        return scopes.Contains(scope) ? new ServiceCaller(match.Name, scopes) : ScopeMissing;
    }
}
