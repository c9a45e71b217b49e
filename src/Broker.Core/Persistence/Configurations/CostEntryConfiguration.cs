using Broker.Core.Costs.Budgets;
using Broker.Core.Costs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class CostEntryConfiguration : IEntityTypeConfiguration<CostEntry>
{
    public const string UsageIndex = "ux_cost_entries_usage_part";

    public void Configure(EntityTypeBuilder<CostEntry> e)
    {
        e.ToTable("cost_entries");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).UseIdentityAlwaysColumn();
        e.Property(x => x.Team).HasMaxLength(64);
        e.Property(x => x.Provider).HasMaxLength(16);
        e.Property(x => x.Region).HasMaxLength(64);
        e.Property(x => x.Zone).HasMaxLength(64);
        e.Property(x => x.InstanceType).HasMaxLength(64);
        e.Property(x => x.Node).HasMaxLength(128);
        e.Property(x => x.MemberNodes).HasColumnType("text[]");
        e.Property(x => x.InstanceId).HasMaxLength(256);
        e.Property(x => x.GpuModel).HasMaxLength(32);
        e.Property(x => x.Labels).HasColumnType("jsonb");
        e.Property(x => x.Note).HasMaxLength(500);
        e.HasIndex(x => new { x.AllocationId, x.Part }).IsUnique().HasFilter("kind = 'Usage'").HasDatabaseName(UsageIndex);
        e.HasIndex(x => x.StartedAt);
        e.HasIndex(x => new { x.Team, x.StartedAt });
        e.HasIndex(x => x.JobId);
        e.HasOne<CostEntry>().WithMany().HasForeignKey(x => x.CorrectsEntryId).OnDelete(DeleteBehavior.Restrict);
    }
}

public sealed class CostRecordingConfiguration : IEntityTypeConfiguration<CostRecording>
{
    public void Configure(EntityTypeBuilder<CostRecording> r)
    {
        r.ToTable("cost_recordings");
        r.HasKey(x => x.AllocationId);
    }
}

public sealed class OnPremRateConfiguration : IEntityTypeConfiguration<OnPremRate>
{
    public void Configure(EntityTypeBuilder<OnPremRate> r)
    {
        r.ToTable("onprem_rates");
        r.HasKey(x => x.Id);
        r.Property(x => x.Id).UseIdentityAlwaysColumn();
        r.HasIndex(x => x.EffectiveFrom).IsUnique();
    }
}

public sealed class OfferPriceChangeConfiguration : IEntityTypeConfiguration<Capacity.OfferPriceChange>
{
    public void Configure(EntityTypeBuilder<Capacity.OfferPriceChange> c)
    {
        c.ToTable("offer_price_changes");
        c.HasKey(x => x.Id);
        c.Property(x => x.Id).UseIdentityAlwaysColumn();
        c.Property(x => x.Provider).HasMaxLength(16);
        c.Property(x => x.Region).HasMaxLength(64);
        c.Property(x => x.Zone).HasMaxLength(64);
        c.Property(x => x.InstanceType).HasMaxLength(64);
        c.HasIndex(x => new { x.Provider, x.Region, x.InstanceType, x.Market, x.At });
    }
}

public sealed class CostReservationConfiguration : IEntityTypeConfiguration<CostReservation>
{
    public void Configure(EntityTypeBuilder<CostReservation> r)
    {
        r.ToTable("cost_reservations");
        r.HasKey(x => x.AllocationId);
        r.Property(x => x.Team).HasMaxLength(64);
        r.HasIndex(x => x.JobId);
        r.HasIndex(x => new { x.Team, x.CreatedAt }).HasFilter("settled_at IS NULL");
        r.Ignore(x => x.CountsAgainstBudget);
    }
}
