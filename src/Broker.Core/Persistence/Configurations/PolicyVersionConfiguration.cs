using Broker.Core.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class PolicyVersionConfiguration : IEntityTypeConfiguration<PolicyVersion>
{
    public void Configure(EntityTypeBuilder<PolicyVersion> p)
    {
        p.ToTable("policy_versions", t => t.HasCheckConstraint("ck_policy_versions_version_positive", "version >= 1"));
        p.HasKey(x => x.Id);
        p.Property(x => x.Id).UseIdentityAlwaysColumn();
        p.Property(x => x.Scope).HasMaxLength(64);
        // text, not jsonb: jsonb reorders keys, and a rollback must restore the document exactly as it was written.
        p.Property(x => x.Document).HasColumnType("text");
        p.HasIndex(x => new { x.Scope, x.Version }).IsUnique();
    }
}
