using Hosting.Core.Security;

namespace Hosting.Tests.Support;

/// <summary>The real hasher, counting how often it verifies.</summary>
public sealed class CountingHasher(IPasswordHasher inner) : IPasswordHasher
{
    private int _verifications;

    public int Verifications => _verifications;

    public Task<string> HashAsync(string password, CancellationToken cancellationToken = default) =>
        inner.HashAsync(password, cancellationToken);

    public Task<PasswordCheck> VerifyAsync(string hash, string password, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _verifications);
        return inner.VerifyAsync(hash, password, cancellationToken);
    }
}
