using Broker.Core.Capacity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class OfferConfiguration : IEntityTypeConfiguration<Offer>
{
    public const string NaturalKeyIndex = "ux_offers_natural_key";

    public void Configure(EntityTypeBuilder<Offer> offer)
    {
        offer.ToTable("offers");
        offer.HasKey(o => o.Id);
        offer.Property(o => o.Id).UseIdentityAlwaysColumn();
        offer.Property(o => o.Provider).HasMaxLength(16);
        offer.Property(o => o.Region).HasMaxLength(64);
        offer.Property(o => o.Zone).HasMaxLength(64);
        offer.Property(o => o.InstanceType).HasMaxLength(64);
        offer.Property(o => o.GpuModel).HasMaxLength(32);
        offer.Property(o => o.Version).IsRowVersion();
        // A regional offer has no zone: NULLS NOT DISTINCT keeps (aws, us-east-1, NULL, p5.48xlarge) unique too.
        offer.HasIndex(o => new { o.Provider, o.Region, o.Zone, o.InstanceType })
            .IsUnique().AreNullsDistinct(false).HasDatabaseName(NaturalKeyIndex);
        offer.HasIndex(o => new { o.GpuModel, o.GpuCount });
    }
}
