using Hosting.Core.Organizations;
using Hosting.Core.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hosting.Persistence.Configurations;

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> b)
    {
        b.ToTable("Organizations");
        b.HasKey(o => o.Id);
        b.Property(o => o.Id).ValueGeneratedNever();
        b.Property(o => o.Name).HasMaxLength(ContactDetails.MaxTextLength * 2 + 1).IsRequired();
        b.Property(o => o.Version).IsConcurrencyToken();
        b.Ignore(o => o.ETag);
        b.HasQueryFilter(o => o.DeletedAt == null);
        b.ComplexProperty(o => o.Contact, c =>
        {
            c.Property(x => x.Kind).HasColumnName("ContactKind");
            c.Property(x => x.FirstName).HasColumnName("ContactFirstName").HasMaxLength(ContactDetails.MaxTextLength);
            c.Property(x => x.LastName).HasColumnName("ContactLastName").HasMaxLength(ContactDetails.MaxTextLength);
            c.Property(x => x.CompanyName).HasColumnName("ContactCompanyName").HasMaxLength(ContactDetails.MaxTextLength);
            c.Property(x => x.Street).HasColumnName("ContactStreet").HasMaxLength(ContactDetails.MaxTextLength);
            c.Property(x => x.PostalCode).HasColumnName("ContactPostalCode").HasMaxLength(ContactDetails.MaxTextLength);
            c.Property(x => x.City).HasColumnName("ContactCity").HasMaxLength(ContactDetails.MaxTextLength);
            c.Property(x => x.Country).HasColumnName("ContactCountry").HasMaxLength(2);
            c.Property(x => x.VatNumber).HasColumnName("ContactVatNumber").HasMaxLength(32);
        });
        b.OwnsMany(o => o.Memberships, m =>
        {
            m.ToTable("Memberships");
            m.WithOwner().HasForeignKey("OrganizationId");
            m.HasKey("OrganizationId", nameof(Membership.AccountId));
            m.Property(x => x.AccountId).ValueGeneratedNever();
            m.HasIndex(x => x.AccountId);
            m.Ignore(x => x.Rights);
            m.Ignore(x => x.ProductIds);
            m.PrimitiveCollection<List<Guid>>("_productIds").HasColumnName("ProductIds");
        });
        b.Navigation(o => o.Memberships).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> b)
    {
        b.ToTable("Products");
        b.HasKey(p => p.Id);
        b.Property(p => p.Id).ValueGeneratedNever();
        b.Property(p => p.Name).HasMaxLength(Product.MaxNameLength).IsRequired();
        b.Property(p => p.Currency).HasMaxLength(3).IsRequired();
        b.Ignore(p => p.Price);
        b.Property(p => p.Version).IsConcurrencyToken();
        b.HasIndex(p => p.OrganizationId);
        b.HasIndex(p => p.InvoiceId);
        b.Ignore(p => p.AwaitsInvoice);
        b.HasOne<Organization>().WithMany().HasForeignKey(p => p.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Hosting.Core.Billing.Invoice>().WithMany().HasForeignKey(p => p.InvoiceId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> b)
    {
        b.ToTable("Invitations");
        b.HasKey(i => i.Id);
        b.Property(i => i.Id).ValueGeneratedNever();
        b.Property(i => i.Email)
            .HasConversion(v => v.Value, v => EmailAddress.FromTrusted(v))
            .HasMaxLength(EmailAddress.MaxLength)
            .IsRequired();
        b.HasIndex(i => i.Email);
        b.HasIndex(i => i.OrganizationId);
        b.Ignore(i => i.Rights);
        b.Ignore(i => i.ProductIds);
        b.PrimitiveCollection<List<Guid>>("_productIds").HasColumnName("ProductIds");
        b.Property(i => i.Version).IsConcurrencyToken();
        b.HasOne<Organization>().WithMany().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class StoredLogoConfiguration : IEntityTypeConfiguration<StoredLogo>
{
    public void Configure(EntityTypeBuilder<StoredLogo> b)
    {
        b.ToTable("OrganizationLogos");
        b.HasKey(l => l.OrganizationId);
        b.Property(l => l.Content).IsRequired();
        b.HasOne<Organization>().WithOne().HasForeignKey<StoredLogo>(l => l.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
