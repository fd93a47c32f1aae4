using Hosting.Core.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hosting.Persistence.Configurations;

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("Outbox");
        b.HasKey(m => m.Id);
        b.Property(m => m.Id).ValueGeneratedNever();
        b.Property(m => m.Kind).HasMaxLength(64).IsRequired();
        b.Property(m => m.Recipient).HasMaxLength(254).IsRequired();
        b.Property(m => m.Subject).HasMaxLength(256).IsRequired();
        b.HasIndex(m => new { m.SentAt, m.NextAttemptAt });
        b.Property(m => m.Version).IsConcurrencyToken();
    }
}
