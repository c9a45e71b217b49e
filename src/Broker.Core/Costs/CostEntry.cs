using Broker.Core.Capacity;

namespace Broker.Core.Costs;

public enum CostEntryKind
{
    /// <summary>Written once per piece of a closed allocation's lifetime.</summary>
    Usage,
    /// <summary>A later amendment: its amounts are deltas added to the entry it corrects.</summary>
    Correction,
}

/// <summary>
/// One row of the append-only ledger (a trigger refuses UPDATE and DELETE). Money is USD, rounded per entry by
/// <see cref="Usd"/>; every entry carries the counterfactual on-demand cost of the same GPU-time, so savings are a sum.
/// </summary>
public sealed class CostEntry
{
    public long Id { get; set; }

    public Guid AllocationId { get; set; }

    /// <summary>Position of the piece within its allocation's lifetime (0, 1, ...); with the allocation id, unique per usage entry.</summary>
    public int Part { get; set; }

    public CostEntryKind Kind { get; set; }

    public long? CorrectsEntryId { get; set; }

    public Guid JobId { get; set; }

    public string Team { get; set; } = "";

    public string Provider { get; set; } = "";

    public string? Region { get; set; }

    public string? Zone { get; set; }

    public string? InstanceType { get; set; }

    public string? Node { get; set; }

    /// <summary>An on-prem gang's member nodes (ADR 0012), <see cref="Node"/> first; null for one node or the cloud.</summary>
    public List<string>? MemberNodes { get; set; }

    public CapacityType Market { get; set; }

    /// <summary>A cloud gang member's instance id (ADR 0012): each member has its own entries; null otherwise.</summary>
    public string? InstanceId { get; set; }

    public string GpuModel { get; set; } = "";

    public int GpuCount { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset EndedAt { get; set; }

    public decimal BilledSeconds { get; set; }

    public decimal GpuHours { get; set; }

    /// <summary>USD per hour of the whole segment: the instance price, or the on-prem rate per GPU-hour × GPUs.</summary>
    public decimal PricePerHour { get; set; }

    public decimal Cost { get; set; }

    public decimal? OnDemandPricePerHour { get; set; }

    public decimal OnDemandCost { get; set; }

    /// <summary>The job's labels (cost centre, project, ...) as a JSON object.</summary>
    public string Labels { get; set; } = "{}";

    /// <summary>Where the times came from (<c>slurm</c>, <c>broker</c>), or a correction's reason.</summary>
    public string? Note { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>That an allocation's lifetime was priced (with how many entries, possibly none): the exactly-once marker.</summary>
public sealed class CostRecording
{
    public Guid AllocationId { get; set; }

    public int Entries { get; set; }

    public decimal Cost { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}
