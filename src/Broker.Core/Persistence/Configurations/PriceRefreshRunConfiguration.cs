using Broker.Core.Capacity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class PriceRefreshRunConfiguration : IEntityTypeConfiguration<PriceRefreshRun>
{
    public void Configure(EntityTypeBuilder<PriceRefreshRun> run)
    {
        run.ToTable("price_refreshes");
        run.HasKey(r => r.Id);
        run.Property(r => r.Id).UseIdentityAlwaysColumn();
        run.Property(r => r.Provider).HasMaxLength(16);
        run.Property(r => r.Reason).HasMaxLength(PriceRefreshRun.MaxReasonLength);
        run.HasIndex(r => new { r.Provider, r.At }).IsDescending(false, true);
    }
}
