using Broker.Core.Capacity;

namespace Broker.Core.Placement;

/// <summary>What the engine decided for one pending job, with the reasons.</summary>
public abstract record PlacementDecision(string JobId, Explanation Explanation);

/// <summary>Run on <paramref name="Node"/> now; all <paramref name="Gpus"/> come from that node.</summary>
/// <param name="MemberNodes">For a gang (ADR 0012) every member node, <paramref name="Node"/> first, each giving
/// <c>Gpus / MemberNodes.Count</c> GPUs; null for a single-node job.</param>
/// <param name="Moves">Running on-prem jobs to move off <paramref name="Node"/> first, so that it has the job's GPUs (ADR 0009,
/// session 30 amendment); null when the node's GPUs are idle already.</param>
public sealed record OnPremDecision(string JobId, string Node, int Gpus, string GpuModel, decimal CostPerHour,
    Explanation Explanation, IReadOnlyList<string>? MemberNodes = null, IReadOnlyList<NodeFreeingMove>? Moves = null)
    : PlacementDecision(JobId, Explanation);

/// <summary>
/// One running on-prem job moved to free a node: its run on <paramref name="FromNode"/> ends now and it restarts on
/// <paramref name="ToNode"/> from its last checkpoint (<paramref name="Rework"/> is the work since then, done again).
/// </summary>
/// <param name="CostPerHour">The on-prem charge per hour for the job's GPUs on the new node.</param>
public sealed record NodeFreeingMove(string JobId, string FromNode, string ToNode, int Gpus, string GpuModel, decimal CostPerHour,
    TimeSpan Rework);

/// <summary>Launch one instance of <paramref name="Offer"/> in <paramref name="Market"/> (Spot or OnDemand) now.</summary>
/// <param name="ExpectedCost">Expected USD for the whole run, boot and expected spot rework included.</param>
public sealed record CloudDecision(string JobId, CloudOffer Offer, CapacityType Market, decimal PricePerHour,
    decimal ExpectedCost, Explanation Explanation) : PlacementDecision(JobId, Explanation);

/// <summary>
/// Do nothing now; look at the job again at <paramref name="RetryAt"/> (or sooner when something changes).
/// <see cref="DateTimeOffset.MaxValue"/> means time alone changes nothing (no node or offer can ever take the job):
/// look again only when the inventory, the offers or the policy change.
/// </summary>
/// <param name="EstimatedOnPremStart">When on-prem GPUs are expected for the job, null when no on-prem node fits it.</param>
/// <param name="LimitAt">When the job's wait limit (max wait, max slowdown or deadline) runs out: the caller must run a pass
/// at exactly this moment (a timed pass), not merely at the next regular one. Null when no limit applies.</param>
public sealed record WaitDecision(string JobId, WaitReason Reason, DateTimeOffset RetryAt, DateTimeOffset? EstimatedOnPremStart,
    Explanation Explanation, DateTimeOffset? LimitAt = null) : PlacementDecision(JobId, Explanation);

/// <summary>
/// Move a job running in the cloud back on-prem: end its cloud run now and restart it on <paramref name="Node"/> from its
/// last checkpoint (<paramref name="Rework"/> is the work since then, done again).
/// </summary>
/// <param name="CostPerHour">The on-prem charge per hour for the job's GPUs.</param>
/// <param name="ExpectedSaving">USD the move is expected to save over the remaining run, net of the rework at the cloud rate.</param>
/// <param name="MemberNodes">For a gang (ADR 0012) every member node, <paramref name="Node"/> first, each giving
/// <c>Gpus / MemberNodes.Count</c> GPUs; null for a single-node job.</param>
public sealed record MigrationDecision(string JobId, string Node, int Gpus, string GpuModel, decimal CostPerHour,
    decimal CloudPricePerHour, TimeSpan Rework, decimal ExpectedSaving, Explanation Explanation,
    IReadOnlyList<string>? MemberNodes = null) : PlacementDecision(JobId, Explanation);

/// <summary>
/// The output of one pass: one decision per pending job, in the order the engine considered them, then any
/// <see cref="MigrationDecision"/> for jobs running in the cloud.
/// </summary>
public sealed record PlacementPlan(string Strategy, DateTimeOffset Now, IReadOnlyList<PlacementDecision> Decisions);
