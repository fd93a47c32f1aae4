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
        // Keyset pages of the parked messages (API-4): only they are in it, so a page is a seek
        // however many messages were sent; leading with SentAt (null) makes it the planner's
        // choice over the dispatcher's index. The filter reads the same on SQLite and PostgreSQL.
        b.HasIndex(m => new { m.SentAt, m.CreatedAt, m.Id }, "IX_Outbox_Parked_SentAt_CreatedAt_Id").HasFilter("\"ParkedAt\" IS NOT NULL");
        b.Property(m => m.Version).IsConcurrencyToken();
    }
}
