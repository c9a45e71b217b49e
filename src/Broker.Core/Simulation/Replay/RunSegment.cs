namespace Broker.Core.Simulation.Replay;

/// <summary>
/// One run of one job on one node or instance, from placement to its end. Cloud segments start billing at placement;
/// useful work starts after the boot time. <paramref name="WorkS"/> is the work done, <paramref name="SavedS"/> the part
/// of it the job keeps (all of it when completed, the last checkpoint when preempted).
/// </summary>
/// <param name="Location">onprem or cloud.</param>
/// <param name="Market">onprem, spot or ondemand.</param>
/// <param name="Outcome">completed, preempted, migrated (moved back on-prem), moved (to another on-prem node, to free its node)
/// or cancelled (still running when the replay ended).</param>
public sealed record RunSegment(
    string JobId,
    string Team,
    int Gpus,
    long SubmitS,
    long StartS,
    long EndS,
    string Location,
    string Node,
    string Provider,
    string Region,
    string Zone,
    string InstanceType,
    string Market,
    string GpuModel,
    decimal PricePerHour,
    string Outcome,
    long WorkS,
    long SavedS,
    decimal Cost,
    string? SpotTrace)
{
    /// <summary>The share of one GPU a shared job reserved on-prem (its share rounded up to the node's shards, what it is
    /// billed); null for whole GPUs and in the cloud (where a shared job has a one-GPU instance to itself).</summary>
    public decimal? GpuShare { get; init; }

    /// <summary>Which GPU of <see cref="Node"/> a shared job ran on (index on the node); null for whole GPUs.</summary>
    public int? SharedGpu { get; init; }

    /// <summary>GPUs the segment held: its share, else its GPUs (for GPU-hours and utilization).</summary>
    public decimal GpusHeld => GpuShare ?? Gpus;

    /// <summary>The engine's words for the placement that started this run (its chosen option, <see cref="Broker.Core.Placement.Explanation.Chosen"/>).</summary>
    public string Why { get; init; } = "";

    /// <summary>A gang's members (ADR 0012): on-prem its nodes, in the cloud its instances; empty for a single node or instance.</summary>
    public IReadOnlyList<GangMember> Members { get; init; } = [];
}

/// <summary>
/// One member of a gang run: a node (<paramref name="Zone"/> and <paramref name="InstanceType"/> empty) or a cloud instance,
/// its GPUs, and when it started and ended (a gang's members start and end together).
/// </summary>
public sealed record GangMember(string Name, string Zone, string InstanceType, int Gpus, long StartS, long EndS);

public static class Outcomes
{
    public const string Completed = "completed";
    public const string Preempted = "preempted";
    public const string Cancelled = "cancelled";
    /// <summary>A cloud run ended by the broker to restart the job on-prem from its last checkpoint (billed up to the move).</summary>
    public const string Migrated = "migrated";
    /// <summary>An on-prem run ended by the broker to free its node for a larger job; the job restarts on another node from its
    /// last checkpoint (ADR 0009, session 30 amendment).</summary>
    public const string Moved = "moved";
}

public static class Markets
{
    public const string OnPrem = "onprem";
    public const string Spot = "spot";
    public const string OnDemand = "ondemand";
}
