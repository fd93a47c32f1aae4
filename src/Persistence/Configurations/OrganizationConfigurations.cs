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
        // The counts the last-user and last-legal-representative rules read (ORG-6); they change with
        // Version, so concurrent departures conflict on this row instead of loading every member.
        b.Property(o => o.MemberCount);
        b.Property(o => o.LegalRepresentativeCount);
        b.HasMany(o => o.Memberships).WithOne().HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(o => o.Memberships).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> b)
    {
        b.ToTable("Memberships");
        b.HasKey(m => new { m.OrganizationId, m.AccountId });
        b.Property(m => m.AccountId).ValueGeneratedNever();
        b.Ignore(m => m.Rights);
        b.Ignore(m => m.ProductIds);
        b.PrimitiveCollection<List<Guid>>("_productIds").HasColumnName("ProductIds");

        // Keyset pages (API-4): members of an organization by (joined, account), an account's
        // organizations by (organization created, organization); each index ends with the id.
        b.HasIndex(m => new { m.OrganizationId, m.JoinedAt, m.AccountId });
        b.HasIndex(m => new { m.AccountId, m.OrganizationCreatedAt, m.OrganizationId });
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
        b.HasIndex(p => new { p.OrganizationId, p.CreatedAt, p.Id });
        b.HasIndex(p => new { p.OrganizationId, p.Status, p.RenewalDate, p.Id });
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
        b.HasIndex(i => new { i.Email, i.CreatedAt, i.Id });
        b.HasIndex(i => new { i.OrganizationId, i.CreatedAt, i.Id });
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
