using Broker.Core.Logs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class LogChunkConfiguration : IEntityTypeConfiguration<LogChunk>
{
    public void Configure(EntityTypeBuilder<LogChunk> c)
    {
        c.ToTable("log_chunks");
        c.HasKey(x => x.Id);
        c.Property(x => x.Id).UseIdentityAlwaysColumn();
        c.Property(x => x.Stream).HasMaxLength(6);
        c.HasIndex(x => new { x.AllocationId, x.Stream, x.Offset }).IsUnique();
        c.HasIndex(x => new { x.JobId, x.Id });
    }
}

public sealed class LogDropConfiguration : IEntityTypeConfiguration<LogDrop>
{
    public void Configure(EntityTypeBuilder<LogDrop> d)
    {
        d.ToTable("log_drops");
        d.HasKey(x => x.JobId);
    }
}
