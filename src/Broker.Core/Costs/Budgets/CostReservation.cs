using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Placement;
using Broker.Core.Provisioning;

namespace Broker.Core.Costs.Budgets;

/// <summary>
/// The expected cost of one allocation, written by the placement that created it in the same transaction. A cloud
/// allocation's reservation counts against its team's budget until the ledger prices the allocation and settles it.
/// </summary>
public sealed class CostReservation
{
    public Guid AllocationId { get; set; }

    public Guid JobId { get; set; }

    public string Team { get; set; } = "";

    public CapacityType Market { get; set; }

    public decimal ExpectedCost { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SettledAt { get; set; }

    public decimal? ActualCost { get; set; }

    public bool CountsAgainstBudget => Market != CapacityType.OnPrem;

    /// <summary>The engine's expected cost: a cloud decision's own, or the on-prem rate over the remaining work.</summary>
    public static CostReservation For(Allocation allocation, PlacementDecision decision, Job job) => new()
    {
        AllocationId = allocation.Id,
        JobId = job.Id,
        Team = job.Team,
        Market = allocation.Market,
        ExpectedCost = Usd.Round(decision switch
        {
            CloudDecision d => d.ExpectedCost,
            OnPremDecision d => d.CostPerHour * (decimal)Max(job.EstimatedDuration - job.SavedProgress, TimeSpan.Zero).TotalHours,
            MigrationDecision d => d.CostPerHour * (decimal)Max(job.EstimatedDuration - job.SavedProgress, TimeSpan.Zero).TotalHours,
            _ => 0m,
        }),
        CreatedAt = allocation.CreatedAt,
    };

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
