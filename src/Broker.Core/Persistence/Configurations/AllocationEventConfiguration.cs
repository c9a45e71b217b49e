using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class AllocationEventConfiguration : IEntityTypeConfiguration<AllocationEvent>
{
    public void Configure(EntityTypeBuilder<AllocationEvent> e)
    {
        e.ToTable("allocation_events", t => t.HasCheckConstraint("ck_allocation_events_seq_positive", "seq >= 1"));
        e.HasKey(x => new { x.AllocationId, x.Seq });
        e.Property(x => x.BodyHash).HasMaxLength(64).IsFixedLength();
        e.HasOne<Allocation>().WithMany().HasForeignKey(x => x.AllocationId).OnDelete(DeleteBehavior.Cascade);
    }
}
