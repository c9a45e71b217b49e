using Broker.Core.WhatIf;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class WhatIfRunConfiguration : IEntityTypeConfiguration<WhatIfRun>
{
    public const string ActiveRequestIndex = "ux_what_if_runs_active_request";

    public void Configure(EntityTypeBuilder<WhatIfRun> r)
    {
        r.ToTable("what_if_runs", t => t.HasCheckConstraint("ck_what_if_runs_percent", "percent BETWEEN 0 AND 100"));
        r.HasKey(x => x.Id);
        r.Property(x => x.Scope).HasMaxLength(64);
        r.Property(x => x.RequestHash).HasMaxLength(64);
        r.Property(x => x.Request).HasColumnType("jsonb");
        r.Property(x => x.Result).HasColumnType("jsonb");
        r.Property(x => x.Error).HasMaxLength(2000);
        r.Property(x => x.ActorRole).HasMaxLength(32);
        r.Property(x => x.Version).IsRowVersion();
        // At most one queued or running run per identical request: a second identical POST finds it instead of starting one.
        r.HasIndex(x => new { x.Scope, x.RequestHash }).IsUnique().HasFilter("state IN ('Queued', 'Running')")
            .HasDatabaseName(ActiveRequestIndex);
        r.HasIndex(x => new { x.State, x.CreatedAt });
    }
}

public sealed class WhatIfChangeConfiguration : IEntityTypeConfiguration<WhatIfChange>
{
    public void Configure(EntityTypeBuilder<WhatIfChange> c)
    {
        c.ToTable("what_if_changes");
        c.HasKey(x => new { x.RunId, x.Seq });
        c.Property(x => x.JobId).HasMaxLength(128);
        c.Property(x => x.Team).HasMaxLength(64);
        c.Property(x => x.Current).HasColumnType("jsonb");
        c.Property(x => x.Proposed).HasColumnType("jsonb");
        c.Property(x => x.Actual).HasColumnType("jsonb");
        c.HasOne<WhatIfRun>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        c.HasIndex(x => new { x.RunId, x.Seq }).HasFilter("changed").HasDatabaseName("ix_what_if_changes_changed");
    }
}
