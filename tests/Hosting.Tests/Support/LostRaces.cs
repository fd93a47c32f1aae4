using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Hosting.Tests.Support;

/// <summary>Every insert into <paramref name="table"/> fails as a unique key a concurrent request took first.</summary>
public sealed class LostRaces(string table) : DbCommandInterceptor
{
    public int Lost { get; private set; }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        LosesRace(command) ? throw Lose() : ValueTask.FromResult(result);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        LosesRace(command) ? throw Lose() : ValueTask.FromResult(result);

    private bool LosesRace(DbCommand command) => command.CommandText.Contains($"INSERT INTO \"{table}\"", StringComparison.Ordinal);

    private SqliteException Lose()
    {
        Lost++;
        return new SqliteException("UNIQUE constraint failed", 19, 2067);
    }
}
