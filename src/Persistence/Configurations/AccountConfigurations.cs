using Hosting.Core.Accounts;
using Hosting.Core.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hosting.Persistence.Configurations;

internal sealed class UserAccountConfiguration : IEntityTypeConfiguration<UserAccount>
{
    public void Configure(EntityTypeBuilder<UserAccount> b)
    {
        b.ToTable("Accounts");
        b.HasKey(a => a.Id);
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.Login)
            .HasConversion(v => v.Value, v => EmailAddress.FromTrusted(v))
            .HasMaxLength(EmailAddress.MaxLength)
            .IsRequired();
        b.HasIndex(a => a.Login).IsUnique();
        b.Property(a => a.PasswordHash).HasMaxLength(256).IsRequired();
        b.Ignore(a => a.RecoveryEmail);
        b.Property<string?>("_recoveryEmail").HasColumnName("RecoveryEmail").HasMaxLength(EmailAddress.MaxLength);
        b.Property(a => a.Version).IsConcurrencyToken();
        b.Property(a => a.TotpSecret).HasMaxLength(64);
        b.Ignore(a => a.RecoveryCodeDigests);
        b.PrimitiveCollection<List<string>>("_recoveryCodeDigests").HasColumnName("RecoveryCodeDigests");
        b.Ignore(a => a.ETag);
    }
}

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> b)
    {
        b.ToTable("Sessions");
        b.HasKey(s => s.Id);
        b.Property(s => s.Id).ValueGeneratedNever();
        b.Property(s => s.TokenDigest).HasMaxLength(64).IsRequired();
        b.HasIndex(s => s.TokenDigest).IsUnique();
        b.HasIndex(s => new { s.AccountId, s.CreatedAt, s.Id });
        b.Property(s => s.DeviceId).HasMaxLength(SignInContext.MaxTextLength);
        b.Property(s => s.UserAgent).HasMaxLength(SignInContext.MaxTextLength);
        b.Property(s => s.IpAddress).HasMaxLength(64);
        b.HasOne<UserAccount>().WithMany().HasForeignKey(s => s.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LoginThrottleConfiguration : IEntityTypeConfiguration<LoginThrottle>
{
    public void Configure(EntityTypeBuilder<LoginThrottle> b)
    {
        b.ToTable("LoginThrottles");
        b.HasKey(t => t.LoginDigest);
        b.Property(t => t.LoginDigest).HasMaxLength(64);
        b.Property(t => t.Version).IsConcurrencyToken();
    }
}

internal sealed class KnownSignInSourceConfiguration : IEntityTypeConfiguration<KnownSignInSource>
{
    public void Configure(EntityTypeBuilder<KnownSignInSource> b)
    {
        b.ToTable("KnownSignInSources");
        b.HasKey(s => new { s.AccountId, s.Kind, s.Digest });
        b.Property(s => s.Digest).HasMaxLength(64);
        b.HasOne<UserAccount>().WithMany().HasForeignKey(s => s.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ActivityEntryConfiguration : IEntityTypeConfiguration<ActivityEntry>
{
    public void Configure(EntityTypeBuilder<ActivityEntry> b)
    {
        b.ToTable("ActivityEntries");
        b.HasKey(e => e.Id);
        b.Property(e => e.Id).ValueGeneratedNever();
        b.HasIndex(e => new { e.AccountId, e.At, e.Id });
        b.Property(e => e.IpAddress).HasMaxLength(64);
        b.Property(e => e.Device).HasMaxLength(SignInContext.MaxTextLength);
        b.HasOne<UserAccount>().WithMany().HasForeignKey(e => e.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PasswordResetTokenConfiguration : IEntityTypeConfiguration<PasswordResetToken>
{
    public void Configure(EntityTypeBuilder<PasswordResetToken> b)
    {
        b.ToTable("PasswordResetTokens");
        b.HasKey(t => t.Id);
        b.Property(t => t.Id).ValueGeneratedNever();
        b.Property(t => t.TokenDigest).HasMaxLength(64).IsRequired();
        b.HasIndex(t => t.TokenDigest).IsUnique();
        b.HasOne<UserAccount>().WithMany().HasForeignKey(t => t.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LoginConfirmationConfiguration : IEntityTypeConfiguration<LoginConfirmation>
{
    public void Configure(EntityTypeBuilder<LoginConfirmation> b)
    {
        b.ToTable("LoginConfirmations");
        b.HasKey(c => c.AccountId);
        b.Property(c => c.AccountId).ValueGeneratedNever();
        b.Property(c => c.CodeDigest).HasMaxLength(64).IsRequired();
        b.Property(c => c.Version).IsConcurrencyToken();
        b.HasOne<UserAccount>().WithOne().HasForeignKey<LoginConfirmation>(c => c.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}
