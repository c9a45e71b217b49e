using Broker.Core.Policies;

namespace Broker.Core.Placement;

/// <summary>
/// Everything one placement pass looks at, frozen at <see cref="Now"/>. The engine never reads a clock or a database:
/// the caller maps its rows onto this record, so the same snapshot always yields the same decisions.
/// </summary>
/// <param name="Policies">Per-team policies; teams without one get <see cref="DefaultPolicy"/>.</param>
/// <param name="Budgets">Cloud budgets; a team without one has no budget limit.</param>
/// <param name="Controls">Kill switch, drained providers and cloud-GPU counts; null for none.</param>
/// <param name="Shares">Fair-share weights and current GPU use per team; a team without one has weight 1 and no use.</param>
/// <param name="CloudJobs">Jobs running in the cloud that the broker may move back on-prem once pending jobs had their turn;
/// null (the live system today) for none: no migration is ever decided.</param>
public sealed record PlacementSnapshot(
    DateTimeOffset Now,
    IReadOnlyList<PendingJob> PendingJobs,
    IReadOnlyList<OnPremNode> Nodes,
    IReadOnlyList<RunningOnPremJob> RunningJobs,
    IReadOnlyList<CloudOffer> Offers,
    IReadOnlyList<BurstPolicy> Policies,
    BurstPolicy DefaultPolicy,
    IReadOnlyList<TeamBudget> Budgets,
    IReadOnlyList<TeamShare> Shares,
    PlacementOptions? Options = null,
    CloudControls? Controls = null,
    IReadOnlyList<RunningCloudJob>? CloudJobs = null);
