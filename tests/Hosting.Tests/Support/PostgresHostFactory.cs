using Microsoft.AspNetCore.Hosting;

namespace Hosting.Tests.Support;

/// <summary>
/// The same host on PostgreSQL, on a fresh database of the server named by the environment
/// variable <c>HOSTING_TEST_POSTGRES</c> (for example <c>Host=127.0.0.1;Port=55432;Username=postgres</c>).
/// Without it, every test using this factory is skipped with a message saying so.
/// </summary>
public sealed class PostgresHostFactory : HostFactory
{
    public const string Variable = "HOSTING_TEST_POSTGRES";

    public static string? ServerConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public string ConnectionString { get; } = $"{ServerConnectionString};Database=hosting_test_{Guid.NewGuid():N}";

    public override void SkipUnlessAvailable() =>
        Skip.If(ServerConnectionString is null, $"PostgreSQL lane not configured: set {Variable} to a server's connection string (.ci/run does).");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Storage:Provider", "Postgres");
        builder.UseSetting("Storage:ConnectionString", ConnectionString);
    }
}
