using Broker.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class PlacementWakeUpConfiguration : IEntityTypeConfiguration<PlacementWakeUp>
{
    public void Configure(EntityTypeBuilder<PlacementWakeUp> w)
    {
        w.ToTable("placement_wake_ups");
        w.HasKey(x => x.At);
    }
}
