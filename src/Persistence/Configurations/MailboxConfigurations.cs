using Hosting.Core.Accounts;
using Hosting.Core.Mailboxes;
using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hosting.Persistence.Configurations;

internal sealed class MailboxConfiguration : IEntityTypeConfiguration<Mailbox>
{
    public void Configure(EntityTypeBuilder<Mailbox> b)
    {
        b.ToTable("Mailboxes");
        b.HasKey(m => m.Id);
        b.Property(m => m.Id).ValueGeneratedNever();
        b.Property(m => m.Address)
            .HasConversion(v => v.Value, v => EmailAddress.FromTrusted(v))
            .HasMaxLength(EmailAddress.MaxLength)
            .IsRequired();
        b.HasIndex(m => m.Address).IsUnique();
        b.HasIndex(m => new { m.MailServiceId, m.CreatedAt, m.Id });
        b.HasIndex(m => m.UnifiedAccountId);
        b.Property(m => m.PasswordHash).HasMaxLength(256).IsRequired();
        b.Property(m => m.Version).IsConcurrencyToken();
        b.HasOne<Product>().WithMany().HasForeignKey(m => m.MailServiceId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class WebmailLinkConfiguration : IEntityTypeConfiguration<WebmailLink>
{
    public void Configure(EntityTypeBuilder<WebmailLink> b)
    {
        b.ToTable("WebmailLinks");
        b.HasKey(l => new { l.AccountId, l.MailboxId });
        b.HasIndex(l => l.MailboxId);
        // Keyset pages of an account's webmail (API-4): in the order linked, ending with the mailbox.
        b.HasIndex(l => new { l.AccountId, l.LinkedAt, l.MailboxId });
        b.HasOne<UserAccount>().WithMany().HasForeignKey(l => l.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Mailbox>().WithMany().HasForeignKey(l => l.MailboxId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProductCredentialConfiguration : IEntityTypeConfiguration<ProductCredential>
{
    public void Configure(EntityTypeBuilder<ProductCredential> b)
    {
        b.ToTable("ProductCredentials");
        b.HasKey(c => c.Id);
        b.Property(c => c.Id).ValueGeneratedNever();
        b.Property(c => c.Username).HasMaxLength(64).IsRequired();
        b.Property(c => c.PasswordHash).HasMaxLength(256).IsRequired();
        b.HasIndex(c => new { c.ProductId, c.Kind, c.Username }).IsUnique();
        // Keyset pages of a product's credentials (API-4), ending with the id.
        b.HasIndex(c => new { c.ProductId, c.CreatedAt, c.Id });
        b.HasOne<Product>().WithMany().HasForeignKey(c => c.ProductId).OnDelete(DeleteBehavior.Restrict);
    }
}
