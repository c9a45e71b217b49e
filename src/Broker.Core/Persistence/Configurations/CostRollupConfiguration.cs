using Broker.Core.Costs.Reports;
using Broker.Core.Costs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class DailyCostRollupConfiguration : IEntityTypeConfiguration<DailyCostRollup>
{
    public void Configure(EntityTypeBuilder<DailyCostRollup> r)
    {
        r.ToTable("cost_daily_rollups");
        r.HasKey(x => new { x.Day, x.Team, x.Provider, x.Region, x.Market, x.InstanceType, x.GpuModel, x.Labels });
        r.Property(x => x.Team).HasMaxLength(64);
        r.Property(x => x.Provider).HasMaxLength(16);
        r.Property(x => x.Region).HasMaxLength(64);
        r.Property(x => x.Market).HasMaxLength(32);
        r.Property(x => x.InstanceType).HasMaxLength(64);
        r.Property(x => x.GpuModel).HasMaxLength(32);
        r.Property(x => x.Labels).HasColumnType("jsonb");
        r.HasIndex(x => new { x.Team, x.Day });
    }
}

public sealed class MonthlyJobCostConfiguration : IEntityTypeConfiguration<MonthlyJobCost>
{
    public void Configure(EntityTypeBuilder<MonthlyJobCost> r)
    {
        r.ToTable("cost_job_monthly");
        r.HasKey(x => new { x.Month, x.JobId });
        r.Property(x => x.Team).HasMaxLength(64);
        r.HasIndex(x => new { x.Month, x.Cost }).IsDescending(false, true);
        r.HasIndex(x => new { x.Month, x.Team, x.Cost }).IsDescending(false, false, true);
    }
}
