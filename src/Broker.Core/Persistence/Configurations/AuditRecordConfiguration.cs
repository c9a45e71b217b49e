using Broker.Core.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class AuditRecordConfiguration : IEntityTypeConfiguration<AuditRecord>
{
    public void Configure(EntityTypeBuilder<AuditRecord> a)
    {
        a.ToTable("audit_records");
        a.HasKey(x => x.Id);
        a.Property(x => x.ActorRole).HasMaxLength(32);
        a.Property(x => x.Action).HasMaxLength(64);
        a.Property(x => x.Target).HasMaxLength(128);
        a.Property(x => x.Before).HasColumnType("jsonb");
        a.Property(x => x.After).HasColumnType("jsonb");
        a.Property(x => x.CorrelationId).HasMaxLength(128);
        a.Property(x => x.Seq).UseIdentityAlwaysColumn();
        a.HasIndex(x => x.Seq).IsUnique();
        a.HasIndex(x => new { x.At, x.Id });
        a.HasIndex(x => new { x.ActorKeyId, x.At });
        a.HasIndex(x => new { x.Action, x.At });
    }
}
