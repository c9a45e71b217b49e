using Broker.Core.Costs.Idle;
using Broker.Core.Costs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class IdleHourConfiguration : IEntityTypeConfiguration<IdleHour>
{
    public void Configure(EntityTypeBuilder<IdleHour> h)
    {
        h.ToTable("onprem_idle_hourly");
        h.HasKey(x => new { x.Hour, x.Node, x.UsdPerGpuHour });
        h.Property(x => x.Node).HasMaxLength(128);
        h.Property(x => x.GpuModel).HasMaxLength(32);
    }
}

public sealed class RollupStateConfiguration : IEntityTypeConfiguration<RollupState>
{
    public void Configure(EntityTypeBuilder<RollupState> s)
    {
        s.ToTable("cost_rollup_state");
        s.HasKey(x => x.Name);
        s.Property(x => x.Name).HasMaxLength(32);
    }
}
