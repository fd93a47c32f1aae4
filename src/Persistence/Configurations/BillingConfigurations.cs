using Hosting.Core.Billing;
using Hosting.Core.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hosting.Persistence.Configurations;

internal sealed class CataloguePriceConfiguration : IEntityTypeConfiguration<CataloguePrice>
{
    public void Configure(EntityTypeBuilder<CataloguePrice> b)
    {
        b.ToTable("CataloguePrices");
        // One price per product type and billing period (ORD-2).
        b.HasKey(p => new { p.Type, p.PeriodMonths });
        b.Property(p => p.Currency).HasMaxLength(3).IsRequired();
        b.Ignore(p => p.Entry);
    }
}

internal sealed class BillingAddressConfiguration : IEntityTypeConfiguration<BillingAddress>
{
    public void Configure(EntityTypeBuilder<BillingAddress> b)
    {
        b.ToTable("BillingAddresses");
        b.HasKey(a => a.Id);
        b.Property(a => a.Id).ValueGeneratedNever();
        b.HasIndex(a => a.OrganizationId);
        b.Ignore(a => a.Lines);
        b.Property(a => a.Version).IsConcurrencyToken();
        b.HasOne<Organization>().WithMany().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FreeVoucherConfiguration : IEntityTypeConfiguration<FreeVoucher>
{
    public void Configure(EntityTypeBuilder<FreeVoucher> b)
    {
        b.ToTable("FreeVouchers");
        b.HasKey(v => v.Id);
        b.Property(v => v.Id).ValueGeneratedNever();
        b.HasIndex(v => new { v.OrganizationId, v.GrantedAt, v.Id });
        b.Property(v => v.Version).IsConcurrencyToken();
        b.HasOne<Organization>().WithMany().HasForeignKey(v => v.OrganizationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PromotionCodeConfiguration : IEntityTypeConfiguration<PromotionCode>
{
    public void Configure(EntityTypeBuilder<PromotionCode> b)
    {
        b.ToTable("PromotionCodes");
        b.HasKey(p => p.Id);
        b.Property(p => p.Id).ValueGeneratedNever();
        b.Property(p => p.Code).HasMaxLength(32).IsRequired();
        b.HasIndex(p => p.Code).IsUnique();
        b.Property(p => p.Currency).HasMaxLength(3).IsRequired();
        b.Ignore(p => p.ProductTypes);
        b.PrimitiveCollection<List<ProductType>>("_productTypes").HasColumnName("ProductTypes");
        b.Property(p => p.Version).IsConcurrencyToken();
    }
}

internal sealed class PromotionRedemptionConfiguration : IEntityTypeConfiguration<PromotionRedemption>
{
    public void Configure(EntityTypeBuilder<PromotionRedemption> b)
    {
        b.ToTable("PromotionRedemptions");
        b.HasKey(r => r.Id);
        b.Property(r => r.Id).ValueGeneratedNever();
        b.HasIndex(r => new { r.PromotionCodeId, r.OrganizationId });
        b.HasOne<PromotionCode>().WithMany().HasForeignKey(r => r.PromotionCodeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class InvoiceConfiguration : IEntityTypeConfiguration<Invoice>
{
    public void Configure(EntityTypeBuilder<Invoice> b)
    {
        b.ToTable("Invoices");
        b.HasKey(i => i.Id);
        b.Property(i => i.Id).ValueGeneratedNever();
        // Two invoices can never share a number, whatever happens to the sequence row.
        b.HasIndex(i => i.SequenceNumber).IsUnique();
        b.HasIndex(i => new { i.OrganizationId, i.IssuedAt, i.Id });
        b.HasIndex(i => new { i.OrganizationId, i.State });
        // A payment and a cancellation of the same unpaid invoice never both win (ORD-4).
        b.Property(i => i.Version).IsConcurrencyToken();
        b.Property(i => i.Currency).HasMaxLength(3).IsRequired();
        b.Property(i => i.OrganizationName).HasMaxLength(512).IsRequired();
        b.Property(i => i.BillingAddress).HasMaxLength(1024).IsRequired();
        b.Property(i => i.PaymentMethod).HasMaxLength(64).IsRequired();
        b.Property(i => i.PaymentReference).HasMaxLength(128).IsRequired();
        b.Ignore(i => i.Number);
        b.Ignore(i => i.SubtotalMinor);
        b.Ignore(i => i.VatMinor);
        b.Ignore(i => i.TotalMinor);
        b.Ignore(i => i.Lines);
        // Lines are part of the immutable document: stored as JSON with the invoice row.
        b.OwnsMany<InvoiceLine>("_lines", l => l.ToJson("Lines"));
        b.HasOne<Organization>().WithMany().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class InvoiceSequenceConfiguration : IEntityTypeConfiguration<InvoiceSequence>
{
    public void Configure(EntityTypeBuilder<InvoiceSequence> b)
    {
        b.ToTable("InvoiceSequence");
        b.HasKey(s => s.Id);
        b.Property(s => s.Id).ValueGeneratedNever();
        b.Property(s => s.Version).IsConcurrencyToken();
    }
}

internal sealed class CreditNoteConfiguration : IEntityTypeConfiguration<CreditNote>
{
    public void Configure(EntityTypeBuilder<CreditNote> b)
    {
        b.ToTable("CreditNotes");
        b.HasKey(c => c.Id);
        b.Property(c => c.Id).ValueGeneratedNever();
        b.HasIndex(c => c.SequenceNumber).IsUnique();
        b.HasIndex(c => c.InvoiceId);
        b.HasIndex(c => new { c.OrganizationId, c.IssuedAt, c.Id });
        b.Property(c => c.Currency).HasMaxLength(3).IsRequired();
        b.Property(c => c.Reason).HasMaxLength(500).IsRequired();
        b.Ignore(c => c.Number);
        b.HasOne<Invoice>().WithMany().HasForeignKey(c => c.InvoiceId).OnDelete(DeleteBehavior.Restrict);
    }
}
