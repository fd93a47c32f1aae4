using Hosting.Core.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hosting.Persistence.Configurations;

/// <summary>The domain is the key: one mail service per domain, whatever the concurrency (MBX-6).</summary>
internal sealed class MailDomainConfiguration : IEntityTypeConfiguration<MailDomain>
{
    public void Configure(EntityTypeBuilder<MailDomain> b)
    {
        b.ToTable(MailDomains.KeyName);
        b.HasKey(d => d.Domain);
        b.Property(d => d.Domain).HasMaxLength(MailDomain.MaxLength);
        b.HasIndex(d => d.ProductId).IsUnique();
        b.HasOne<Product>().WithMany().HasForeignKey(d => d.ProductId).OnDelete(DeleteBehavior.Cascade);
    }
}
