using Broker.Core.OnPrem;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class OnPremNodeConfiguration : IEntityTypeConfiguration<OnPremNodeRecord>
{
    public void Configure(EntityTypeBuilder<OnPremNodeRecord> node)
    {
        node.ToTable("onprem_nodes");
        node.HasKey(n => n.Name);
        node.Property(n => n.Name).HasMaxLength(128);
        node.Property(n => n.GpuModel).HasMaxLength(32);
        node.Property(n => n.ShardsInUse).HasColumnType("integer[]");
        node.Property(n => n.MigSlices).HasColumnType("text[]");
        node.Property(n => n.ShardHolders).HasColumnType("text[]");
    }
}

public sealed class NodeUtilizationSampleConfiguration : IEntityTypeConfiguration<NodeUtilizationSample>
{
    public void Configure(EntityTypeBuilder<NodeUtilizationSample> sample)
    {
        sample.ToTable("node_utilization_samples");
        sample.HasKey(s => s.Id);
        sample.Property(s => s.Id).UseIdentityAlwaysColumn();
        sample.Property(s => s.Node).HasMaxLength(128);
        sample.Property(s => s.GpuModel).HasMaxLength(32);
        sample.HasIndex(s => new { s.Node, s.At }).IsUnique();
        sample.HasIndex(s => s.At);
    }
}
