using Broker.Core.Capacity;

namespace Broker.Core.Placement;

/// <summary>A job running in the cloud now, as the rule that moves it back on-prem sees it (ADR 0009, amendment).</summary>
/// <param name="Gpus">Whole GPUs the job needs (all members of a cloud gang together).</param>
/// <param name="AcceptableGpuModels">Normalized GPU model names; empty means any model.</param>
/// <param name="PricePerHour">What the job's instance(s) cost per hour now, all members of a gang included.</param>
/// <param name="CheckpointInterval">Null when the job does not checkpoint.</param>
/// <param name="SinceCheckpoint">Work done since its last checkpoint: lost, and redone on-prem, if it moves now.</param>
/// <param name="RemainingWork">The engine's estimate of the work left if the job stays where it is.</param>
/// <param name="Migrated">True once the job has moved back on-prem: a job moves at most once.</param>
/// <param name="OnPremRefusal">Why the job may not run on-prem at all; null when it may.</param>
/// <param name="SpotAllowed">The job accepts being interrupted and restarted (it may run on spot): without checkpoints it may
/// still move, all its work so far (<paramref name="SinceCheckpoint"/>) being the rework. Null-checkpoint jobs that refuse spot never move.</param>
public sealed record RunningCloudJob(
    string JobId,
    string Team,
    int Gpus,
    IReadOnlyList<string> AcceptableGpuModels,
    int MinGpuMemoryGb,
    decimal PricePerHour,
    CapacityType Market,
    TimeSpan? CheckpointInterval,
    TimeSpan SinceCheckpoint,
    TimeSpan RemainingWork,
    DateTimeOffset? Deadline,
    bool Migrated,
    int CpuCores = 0,
    int MemoryGb = 0,
    string? OnPremRefusal = null,
    bool SpotAllowed = false);
