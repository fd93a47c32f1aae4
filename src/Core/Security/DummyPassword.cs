using Hosting.Core.Shared;

namespace Hosting.Core.Security;

/// <summary>
/// A hash of a random password, made once with the current parameters, verified when a login or
/// address is unknown so that the reply costs the same as for a wrong password (ACC-3, MBX-1).
/// </summary>
internal static class DummyPassword
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? s_hash;

    public static async Task<string> HashAsync(IPasswordHasher hasher, ISecretGenerator random, CancellationToken ct)
    {
        if (s_hash is { } hash)
        {
            return hash;
        }

        await Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return s_hash ??= await hasher.HashAsync(Secrets.NewToken(random), ct).ConfigureAwait(false);
        }
        finally
        {
            Gate.Release();
        }
    }
}
