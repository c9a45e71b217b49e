using Broker.Core.Audit;
using Broker.Core.Auth;
using Broker.Core.Capacity;
using Broker.Core.Costs.Budgets;
using Broker.Core.Costs.Idle;
using Broker.Core.Costs.Reports;
using Broker.Core.Costs;
using Broker.Core.Jobs;
using Broker.Core.OnPrem;
using Broker.Core.Policies;
using Broker.Core.Provisioning;
using Broker.Core.WhatIf;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Persistence;

/// <summary>
/// Broker's one database. Each entity has its own <see cref="IEntityTypeConfiguration{TEntity}"/> in Configurations/;
/// conventions: snake_case names, enums as strings, money as numeric(18,6), times as timestamptz.
/// </summary>
public sealed class BrokerDbContext(DbContextOptions<BrokerDbContext> options) : DbContext(options)
{
    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<JobEvent> JobEvents => Set<JobEvent>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<Offer> Offers => Set<Offer>();

    public DbSet<PriceRefreshRun> PriceRefreshes => Set<PriceRefreshRun>();

    public DbSet<Allocation> Allocations => Set<Allocation>();

    public DbSet<OnPremNodeRecord> OnPremNodes => Set<OnPremNodeRecord>();

    public DbSet<NodeUtilizationSample> NodeUtilizationSamples => Set<NodeUtilizationSample>();

    public DbSet<PolicyVersion> PolicyVersions => Set<PolicyVersion>();

    public DbSet<CloudStop> CloudStops => Set<CloudStop>();

    public DbSet<OfferBlockRecord> OfferBlocks => Set<OfferBlockRecord>();

    public DbSet<ProviderCircuit> ProviderCircuits => Set<ProviderCircuit>();

    public DbSet<Scheduling.PlacementWakeUp> PlacementWakeUps => Set<Scheduling.PlacementWakeUp>();

    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    public DbSet<CostEntry> CostEntries => Set<CostEntry>();

    public DbSet<CostRecording> CostRecordings => Set<CostRecording>();

    public DbSet<OnPremRate> OnPremRates => Set<OnPremRate>();

    public DbSet<OfferPriceChange> OfferPriceChanges => Set<OfferPriceChange>();

    public DbSet<IdleHour> IdleHours => Set<IdleHour>();

    public DbSet<RollupState> RollupStates => Set<RollupState>();

    public DbSet<CostReservation> CostReservations => Set<CostReservation>();

    public DbSet<Budget> Budgets => Set<Budget>();

    public DbSet<BudgetPeriod> BudgetPeriods => Set<BudgetPeriod>();

    public DbSet<BudgetEvent> BudgetEvents => Set<BudgetEvent>();

    public DbSet<DailyCostRollup> DailyCostRollups => Set<DailyCostRollup>();

    public DbSet<MonthlyJobCost> MonthlyJobCosts => Set<MonthlyJobCost>();

    public DbSet<WhatIfRun> WhatIfRuns => Set<WhatIfRun>();

    public DbSet<WhatIfChange> WhatIfChanges => Set<WhatIfChange>();

    public DbSet<Prediction.RuntimeModelRecord> RuntimeModels => Set<Prediction.RuntimeModelRecord>();

    public DbSet<Prediction.JobRuntimePrediction> JobRuntimePredictions => Set<Prediction.JobRuntimePrediction>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(BrokerDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<decimal>().HavePrecision(18, 6);
    }
}
