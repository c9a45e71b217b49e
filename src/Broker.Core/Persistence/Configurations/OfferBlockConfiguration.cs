using Broker.Core.Capacity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class OfferBlockConfiguration : IEntityTypeConfiguration<OfferBlockRecord>
{
    public void Configure(EntityTypeBuilder<OfferBlockRecord> e)
    {
        e.ToTable("offer_blocks");
        e.HasKey(x => x.Key);
        e.Property(x => x.Key).HasMaxLength(400);
        e.Property(x => x.Reason).HasMaxLength(200);
        e.HasIndex(x => x.Until);
    }
}
