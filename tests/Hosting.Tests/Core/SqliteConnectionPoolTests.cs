using Hosting.Core.Shared;
using Hosting.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hosting.Tests.Core;

/// <summary>The host's SQLite contexts run on pooled open connections that keep their prepared statements.</summary>
public sealed class SqliteConnectionPoolTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hosting-pool-").FullName;
    private ServiceProvider _provider = null!;

    public Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISecretGenerator, SystemSecretGenerator>();
        new StorageOptions { ConnectionString = $"Data Source={Path.Combine(_folder, "hosting.db")}" }.Register(services);
        _provider = services.BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<T> InScopeAsync<T>(Func<HostingDbContext, Task<T>> work)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<HostingDbContext>());
    }

    private static SqliteConnection ConnectionOf(HostingDbContext db) => (SqliteConnection)db.Database.GetDbConnection();

    private static Task<long> CountAsync(HostingDbContext db) => db.Database.SqlQueryRaw<long>("""SELECT COUNT(*) AS "Value" FROM "Notes" """).SingleAsync();

    [Fact]
    public async Task TheNextRequest_RunsOnTheSameOpenConnection_ReusingTheStatementItPrepared()
    {
        var first = await InScopeAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("""CREATE TABLE "Notes" ("Id" INTEGER PRIMARY KEY, "Text" TEXT NOT NULL)""");
            await db.Database.ExecuteSqlRawAsync("""INSERT INTO "Notes" ("Text") VALUES ({0})""", "first");
            return ConnectionOf(db);
        });

        var second = await InScopeAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("""INSERT INTO "Notes" ("Text") VALUES ({0})""", "second");
            return ConnectionOf(db);
        });

        Assert.Same(first, second);
        Assert.Equal(System.Data.ConnectionState.Open, second.State);

        // The table and one insert, kept once for both values.
        Assert.Equal(2, SqliteStatementCache.PreparedOn(second));
        Assert.Equal(2L, await InScopeAsync(CountAsync));
    }

    [Fact]
    [Trait("Rule", "WAL-2")]
    public async Task AConnectionGivenBackInsideAnUnfinishedWrite_IsNotLentAgain_AndTheWriteIsLost()
    {
        var created = await InScopeAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("""CREATE TABLE "Notes" ("Id" INTEGER PRIMARY KEY, "Text" TEXT NOT NULL)""");
            return ConnectionOf(db);
        });

        // A request that begins a write and ends without committing it (a crash of the handler, say).
        var unfinished = await InScopeAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("BEGIN IMMEDIATE");
            await db.Database.ExecuteSqlRawAsync("""INSERT INTO "Notes" ("Text") VALUES ({0})""", "half");
            return ConnectionOf(db);
        });

        Assert.Same(created, unfinished);
        var (next, count) = await InScopeAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("""INSERT INTO "Notes" ("Text") VALUES ({0})""", "whole");
            return (ConnectionOf(db), await CountAsync(db));
        });

        Assert.NotSame(unfinished, next);
        Assert.Equal(System.Data.ConnectionState.Closed, unfinished.State);
        Assert.Equal(1L, count);
    }

    [Fact]
    public async Task ContextsBeyondTheConnectionsLent_RunOnConnectionsOfTheirOwn_SoABurstHoldsNoMoreOpenConnections()
    {
        await InScopeAsync(db => db.Database.ExecuteSqlRawAsync("""CREATE TABLE "Notes" ("Id" INTEGER PRIMARY KEY, "Text" TEXT NOT NULL)"""));
        var held = Enumerable.Range(0, SqliteConnectionPool.MaxLent).Select(_ => _provider.CreateAsyncScope()).ToList();
        try
        {
            var lent = held.Select(scope => ConnectionOf(scope.ServiceProvider.GetRequiredService<HostingDbContext>())).ToList();
            Assert.All(lent, c => Assert.Equal(System.Data.ConnectionState.Open, c.State));
            Assert.Equal(SqliteConnectionPool.MaxLent, lent.Distinct().Count());

            var (beyond, count) = await InScopeAsync(async db =>
            {
                var idle = ConnectionOf(db).State;
                await db.Database.ExecuteSqlRawAsync("""INSERT INTO "Notes" ("Text") VALUES ({0})""", "beyond");
                return (idle, await CountAsync(db));
            });

            // Not lent: closed until EF opens it for a statement, as without the pool.
            Assert.Equal(System.Data.ConnectionState.Closed, beyond);
            Assert.Equal(1L, count);
        }
        finally
        {
            foreach (var scope in held)
            {
                await scope.DisposeAsync();
            }
        }

        var again = await InScopeAsync(db => Task.FromResult(ConnectionOf(db).State));
        Assert.Equal(System.Data.ConnectionState.Open, again);
    }
}
