using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class AllocationConfiguration : IEntityTypeConfiguration<Allocation>
{
    public void Configure(EntityTypeBuilder<Allocation> a)
    {
        a.ToTable("allocations");
        a.HasKey(x => x.Id);
        a.Property(x => x.Provider).HasMaxLength(16);
        a.Property(x => x.Region).HasMaxLength(64);
        a.Property(x => x.Zone).HasMaxLength(64);
        a.Property(x => x.InstanceType).HasMaxLength(64);
        a.Property(x => x.Node).HasMaxLength(128);
        a.Property(x => x.MemberNodes).HasColumnType("text[]");
        a.Property(x => x.MemberInstanceIds).HasColumnType("text[]");
        a.Property(x => x.ReclaimedMembers).HasColumnType("integer[]");
        a.Property(x => x.GpuModel).HasMaxLength(32);
        a.Property(x => x.ExternalId).HasMaxLength(256);
        a.Property(x => x.CallbackTokenHash).HasMaxLength(64);
        a.Property(x => x.EndReason).HasMaxLength(1000);
        a.Property(x => x.ReportedReason).HasMaxLength(InstanceEvent.MaxReasonLength);
        a.Property(x => x.Version).IsRowVersion();
        a.HasOne<Jobs.Job>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
        // One live segment per job, except that a segment ended by a move back on-prem may still be releasing (its instance
        // terminating) while the job's on-prem segment starts (ADR 0009, amendment).
        a.HasIndex(x => x.JobId).IsUnique().HasFilter("state <> 'Closed' AND (\"end\" IS NULL OR \"end\" <> 'Migrated')");
        a.HasIndex(x => new { x.State, x.Provider });
        // A pending job's spot interruptions and refused spot launches, read by every placement pass (escalation).
        a.HasIndex(x => x.JobId, "ix_allocations_spot_strikes").HasDatabaseName("ix_allocations_spot_strikes").HasFilter("market = 'Spot' AND \"end\" IN ('Interrupted', 'NoCapacity')");
    }
}
