using Broker.Core.Capacity;

namespace Broker.Core.Placement;

/// <summary>What the engine decided for one pending job, with the reasons.</summary>
public abstract record PlacementDecision(string JobId, Explanation Explanation);

/// <summary>Run on <paramref name="Node"/> now; all <paramref name="Gpus"/> come from that node.</summary>
/// <param name="MemberNodes">For a gang (ADR 0012) every member node, <paramref name="Node"/> first, each giving
/// <c>Gpus / MemberNodes.Count</c> GPUs; null for a single-node job.</param>
public sealed record OnPremDecision(string JobId, string Node, int Gpus, string GpuModel, decimal CostPerHour,
    Explanation Explanation, IReadOnlyList<string>? MemberNodes = null) : PlacementDecision(JobId, Explanation);

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

/// <summary>The output of one pass: one decision per pending job, in the order the engine considered them.</summary>
public sealed record PlacementPlan(string Strategy, DateTimeOffset Now, IReadOnlyList<PlacementDecision> Decisions);
