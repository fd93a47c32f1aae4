using System.Security.Cryptography;

namespace Hosting.Core.Shared;

/// <summary>The one source of randomness of the domain, so that tests can make it repeatable.</summary>
public interface ISecretGenerator
{
    /// <summary>Cryptographically strong random bytes.</summary>
    byte[] GetBytes(int count);

    /// <summary>A new identifier.</summary>
    Guid NewId();
}

/// <summary>The operating system's CSPRNG.</summary>
public sealed class SystemSecretGenerator : ISecretGenerator
{
    /// <inheritdoc />
    public byte[] GetBytes(int count) => RandomNumberGenerator.GetBytes(count);

    /// <inheritdoc />
    public Guid NewId() => Guid.CreateVersion7();
}
