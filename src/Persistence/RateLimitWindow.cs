using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hosting.Persistence;

/// <summary>
/// One rate-limit budget's current fixed window (a policy, a dimension and an address or caller),
/// kept in the store so that every host on one PostgreSQL database spends the same budget.
/// </summary>
public sealed class RateLimitWindow
{
    /// <summary>The budget: policy, dimension and address or caller.</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>The start of the current window, in UTC ticks, aligned to the window's length.</summary>
    public long WindowStart { get; set; }

    /// <summary>Calls counted in the current window, the refused ones included.</summary>
    public int Count { get; set; }
}

internal sealed class RateLimitWindowConfiguration : IEntityTypeConfiguration<RateLimitWindow>
{
    public void Configure(EntityTypeBuilder<RateLimitWindow> b)
    {
        b.ToTable("RateLimitWindows");
        b.HasKey(w => w.Key);
        b.Property(w => w.Key).HasMaxLength(256);
    }
}

/// <summary>Counts calls against shared rate-limit budgets.</summary>
public static class SharedRateLimits
{
    // One statement, so concurrent hosts never lose a count: the row lock of the upsert orders them.
    // A newer window resets the count; a host whose clock lags a little counts into the newer window.
    private const string CountSql = """
        INSERT INTO "RateLimitWindows" ("Key", "WindowStart", "Count") VALUES (@key, @start, 1)
        ON CONFLICT ("Key") DO UPDATE SET
            "Count" = CASE WHEN excluded."WindowStart" > "RateLimitWindows"."WindowStart" THEN 1 ELSE "RateLimitWindows"."Count" + 1 END,
            "WindowStart" = GREATEST(excluded."WindowStart", "RateLimitWindows"."WindowStart")
        RETURNING "Count"
        """;

    /// <summary>Counts one call in <paramref name="key"/>'s window starting at <paramref name="windowStart"/>; returns the window's count so far.</summary>
    public static async Task<int> CountCallAsync(this HostingDbContext db, string key, long windowStart, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = CountSql;
            var keyParameter = command.CreateParameter();
            keyParameter.ParameterName = "key";
            keyParameter.Value = key;
            command.Parameters.Add(keyParameter);
            var startParameter = command.CreateParameter();
            startParameter.ParameterName = "start";
            startParameter.Value = windowStart;
            command.Parameters.Add(startParameter);
            return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
