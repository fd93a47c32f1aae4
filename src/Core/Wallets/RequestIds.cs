using System.Diagnostics.CodeAnalysis;

namespace Hosting.Core.Wallets;

/// <summary>The client request ids of money-moving calls (WAL-5): 1 to 64 letters, digits, '-' or '_'.</summary>
public static class RequestIds
{
    /// <summary>Whether <paramref name="requestId"/> is a valid request id.</summary>
    public static bool IsValid([NotNullWhen(true)] string? requestId) =>
        !string.IsNullOrEmpty(requestId) && requestId.Length <= 64 && requestId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
