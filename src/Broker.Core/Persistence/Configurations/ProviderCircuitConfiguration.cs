using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class ProviderCircuitConfiguration : IEntityTypeConfiguration<ProviderCircuit>
{
    public void Configure(EntityTypeBuilder<ProviderCircuit> e)
    {
        e.ToTable("provider_health");
        e.HasKey(x => x.Provider);
        e.Property(x => x.Provider).HasMaxLength(64);
        e.Property(x => x.LastErrorCode).HasMaxLength(128);
        e.Property(x => x.LastErrorMessage).HasMaxLength(1000);
    }
}
