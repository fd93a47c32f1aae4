using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Hosting.Persistence;

/// <summary>Stores instants as UTC ticks.</summary>
public sealed class DateTimeOffsetTicksConverter() : ValueConverter<DateTimeOffset, long>(
    v => v.UtcTicks,
    v => new DateTimeOffset(v, TimeSpan.Zero));
