using Broker.Core.Costs.Budgets;
using Broker.Core.Costs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class BudgetConfiguration : IEntityTypeConfiguration<Budget>
{
    public void Configure(EntityTypeBuilder<Budget> b)
    {
        b.ToTable("budgets");
        b.HasKey(x => x.Team);
        b.Property(x => x.Team).HasMaxLength(64);
        b.Property(x => x.SoftPercent).HasPrecision(9, 4);
        b.Property(x => x.HardPercent).HasPrecision(9, 4);
        b.Property(x => x.Version).IsRowVersion();
        b.Ignore(x => x.SoftLimit);
        b.Ignore(x => x.HardLimit);
    }
}

public sealed class BudgetPeriodConfiguration : IEntityTypeConfiguration<BudgetPeriod>
{
    public void Configure(EntityTypeBuilder<BudgetPeriod> p)
    {
        p.ToTable("budget_periods");
        p.HasKey(x => x.Id);
        p.Property(x => x.Id).UseIdentityAlwaysColumn();
        p.Property(x => x.Team).HasMaxLength(64);
        p.HasIndex(x => new { x.Team, x.PeriodStart, x.PeriodEnd }).IsUnique();
        p.Ignore(x => x.Committed);
    }
}

public sealed class BudgetEventConfiguration : IEntityTypeConfiguration<BudgetEvent>
{
    public void Configure(EntityTypeBuilder<BudgetEvent> e)
    {
        e.ToTable("budget_events");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).UseIdentityAlwaysColumn();
        e.Property(x => x.Team).HasMaxLength(64);
        e.Property(x => x.Message).HasMaxLength(500);
        e.HasIndex(x => new { x.Team, x.At });
    }
}
