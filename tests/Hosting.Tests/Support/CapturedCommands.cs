using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Hosting.Tests.Support;

/// <summary>The commands a context sends: the reads with their parameters, and the text of every statement.</summary>
public sealed class CapturedCommands : DbCommandInterceptor
{
    public List<(string Sql, List<(string Name, object? Value)> Parameters)> Readers { get; } = [];

    public List<string> All { get; } = [];

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Readers.Add((command.CommandText, command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, p.Value)).ToList()));
        All.Add(command.CommandText);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        All.Add(command.CommandText);
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }
}
