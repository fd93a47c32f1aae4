using Hosting.Core.Organizations;
using Hosting.Core.Wallets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hosting.Persistence.Configurations;

internal sealed class WalletConfiguration : IEntityTypeConfiguration<Wallet>
{
    public void Configure(EntityTypeBuilder<Wallet> b)
    {
        b.ToTable("Wallets");
        b.HasKey(w => w.Id);
        b.Property(w => w.Id).ValueGeneratedNever();
        b.Property(w => w.Currency).HasMaxLength(3).IsRequired();
        b.HasIndex(w => new { w.OrganizationId, w.Currency }).IsUnique();
        b.Property(w => w.Version).IsConcurrencyToken();
        b.HasOne<Organization>().WithMany().HasForeignKey(w => w.OrganizationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class LedgerTransactionConfiguration : IEntityTypeConfiguration<LedgerTransaction>
{
    public void Configure(EntityTypeBuilder<LedgerTransaction> b)
    {
        b.ToTable("LedgerTransactions");
        b.HasKey(t => t.Id);
        b.Property(t => t.Id).ValueGeneratedNever();
        b.Property(t => t.Currency).HasMaxLength(3).IsRequired();
        b.Property(t => t.Reference).HasMaxLength(256).IsRequired();
        b.HasIndex(t => new { t.WalletId, t.At, t.Id });
        b.Ignore(t => t.WalletAmount);
        b.HasOne<Wallet>().WithMany().HasForeignKey(t => t.WalletId).OnDelete(DeleteBehavior.Restrict);
        b.OwnsMany(t => t.Entries, e =>
        {
            e.ToTable("LedgerEntries");
            e.WithOwner().HasForeignKey("TransactionId");
            e.HasKey("TransactionId", nameof(LedgerEntry.Line));
            e.Property(x => x.Line).ValueGeneratedNever();
            e.Property(x => x.Account).HasMaxLength(64).IsRequired();
            e.HasIndex(x => x.Account);
        });
        b.Navigation(t => t.Entries).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class WithdrawalConfiguration : IEntityTypeConfiguration<Withdrawal>
{
    public void Configure(EntityTypeBuilder<Withdrawal> b)
    {
        b.ToTable("Withdrawals");
        b.HasKey(w => w.Id);
        b.Property(w => w.Id).ValueGeneratedNever();
        b.Property(w => w.Destination).HasMaxLength(254).IsRequired();
        b.Property(w => w.Version).IsConcurrencyToken();
        b.HasIndex(w => w.WalletId);
        // Keyset pages of an organization's withdrawals (API-4), ending with the id.
        b.HasIndex(w => new { w.OrganizationId, w.RequestedAt, w.Id });
        // At most one payout transaction per withdrawal, enforced by the store as well.
        b.HasIndex(w => w.TransactionId).IsUnique();
        b.HasOne<Wallet>().WithMany().HasForeignKey(w => w.WalletId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("IdempotencyRecords");
        b.HasKey(r => r.Key);
        b.Property(r => r.Key).HasMaxLength(128);
        b.Property(r => r.Fingerprint).HasMaxLength(64).IsRequired();
        b.Property(r => r.ErrorReason).HasMaxLength(64);
        b.Property(r => r.ErrorMessage).HasMaxLength(512);
        b.Ignore(r => r.Failure);
    }
}

internal sealed class ChargeAttemptConfiguration : IEntityTypeConfiguration<ChargeAttempt>
{
    public void Configure(EntityTypeBuilder<ChargeAttempt> b)
    {
        b.ToTable("ChargeAttempts");
        b.HasKey(a => a.Key);
        b.Property(a => a.Key).HasMaxLength(160);
        b.Property(a => a.Purpose).HasMaxLength(32).IsRequired();
        b.Property(a => a.Method).HasMaxLength(64).IsRequired();
        b.Property(a => a.Currency).HasMaxLength(3).IsRequired();
        b.Property(a => a.GatewayReference).HasMaxLength(128);
        b.Property(a => a.Fingerprint).HasMaxLength(64);
        b.Property(a => a.Version).IsConcurrencyToken();
        b.Ignore(a => a.Amount);
        b.Ignore(a => a.IsSettled);
        // The reconciliation job reads the unsettled ones, oldest first.
        b.HasIndex(a => new { a.State, a.UpdatedAt });
    }
}
