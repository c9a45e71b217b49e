using Broker.Core.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class CloudStopConfiguration : IEntityTypeConfiguration<CloudStop>
{
    public void Configure(EntityTypeBuilder<CloudStop> s)
    {
        s.ToTable("cloud_stops");
        s.HasKey(x => x.Scope);
        s.Property(x => x.Scope).HasMaxLength(64);
        s.Property(x => x.Reason).HasMaxLength(500);
    }
}
