using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Hosting.Tests.Support;

/// <summary>
/// Runs another request to its end once, when the request under test has finished reading a row of
/// <paramref name="table"/>: the interleaving of two requests where the first decides on what it read.
/// </summary>
public sealed class AfterFirstRead(string table, Func<Task<bool>> other) : DbCommandInterceptor
{
    private int _armed = 1;

    /// <summary>Whether the other request succeeded.</summary>
    public bool Succeeded { get; private set; }

    /// <inheritdoc />
    public override async ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        if (command.CommandText.Contains($"FROM \"{table}\"", StringComparison.Ordinal) && Interlocked.Exchange(ref _armed, 0) == 1)
        {
            Succeeded = await other();
        }

        return result;
    }
}
