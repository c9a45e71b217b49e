using Broker.Core.Prediction;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class RuntimeModelConfiguration : IEntityTypeConfiguration<RuntimeModelRecord>
{
    public void Configure(EntityTypeBuilder<RuntimeModelRecord> m)
    {
        m.ToTable("runtime_models");
        m.HasKey(x => x.Id);
        m.Property(x => x.Statistics).HasColumnType("jsonb");
        m.HasIndex(x => x.TrainedAt);
    }
}
