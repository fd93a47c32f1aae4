using Hosting.Core.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hosting.Persistence.Configurations;

internal sealed class EventConfiguration : IEntityTypeConfiguration<HostingEvent>
{
    public void Configure(EntityTypeBuilder<HostingEvent> b)
    {
        b.ToTable("Events");
        b.HasKey(e => e.Position);
        b.Property(e => e.Position).ValueGeneratedOnAdd();
        b.Property(e => e.Transaction).ValueGeneratedOnAdd().HasDefaultValue(0L);
        b.HasIndex(e => e.Id).IsUnique();
        b.Property(e => e.Type).HasMaxLength(64).IsRequired();
        b.Property(e => e.Resource).HasMaxLength(512).IsRequired();
        b.Property(e => e.Data).IsRequired();
        b.HasIndex(e => new { e.Transaction, e.Position });
        b.HasIndex(e => new { e.OrganizationId, e.Transaction, e.Position });
        b.HasIndex(e => e.OccurredAt);
    }
}
