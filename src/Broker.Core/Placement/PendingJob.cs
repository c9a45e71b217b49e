namespace Broker.Core.Placement;

/// <summary>A job waiting for placement, as the engine sees it.</summary>
/// <param name="AcceptableGpuModels">Normalized GPU model names (see <c>GpuModels</c>); empty means any model.</param>
/// <param name="MinGpuMemoryGb">Smallest GPU memory the job can use; 0 when it does not care.</param>
/// <param name="EstimatedDuration">Total work at full speed, without cloud boot time.</param>
/// <param name="CheckpointInterval">Null when the job does not checkpoint (an interruption loses all progress).</param>
/// <param name="MaxPricePerGpuHour">The job's own price cap; null for none (the team policy may still cap).</param>
/// <param name="Attempts">Placements tried so far (launches, runs).</param>
/// <param name="Interruptions">Spot interruptions suffered so far.</param>
/// <param name="SavedProgress">Work already checkpointed by earlier runs; the remaining work is duration minus this.</param>
/// <param name="OnPremRefusal">Why the job may not run on-prem at all (e.g. its team has no on-prem user); null when it may.</param>
/// <param name="SpotStrikes">The job's spot interruptions and failed spot launches so far, where each happened (for
/// escalation to another zone, region or provider); null or empty for none.</param>
/// <param name="GpuShare">A fraction of one GPU (ADR 0011); the job is placed as one GPU and charged this share of it.</param>
/// <param name="CpuCores">CPU cores the job needs on its node or instance; 0 when it does not say.</param>
/// <param name="MemoryGb">Memory (GB) the job needs on its node or instance; 0 when it does not say.</param>
/// <param name="MigProfile">A MIG profile (<c>1g.10gb</c>, ADR 0011): on-prem the job takes one slice of it on a node that
/// declares it; null for whole GPUs or a share.</param>
/// <param name="RequeuedAt">When the job last went back to the queue after a run (a spot interruption, a lost node): the
/// max wait counts from then; null when it has never run (it counts from <paramref name="SubmittedAt"/>).</param>
public sealed record PendingJob(
    string JobId,
    string Team,
    int Gpus,
    IReadOnlyList<string> AcceptableGpuModels,
    int MinGpuMemoryGb,
    TimeSpan EstimatedDuration,
    DateTimeOffset? Deadline,
    int Priority,
    bool SpotAllowed,
    TimeSpan? CheckpointInterval,
    decimal? MaxPricePerGpuHour,
    DateTimeOffset SubmittedAt,
    int Attempts = 0,
    int Interruptions = 0,
    TimeSpan SavedProgress = default,
    string? OnPremRefusal = null,
    IReadOnlyList<SpotStrike>? SpotStrikes = null,
    decimal? GpuShare = null,
    int CpuCores = 0,
    int MemoryGb = 0,
    string? MigProfile = null,
    DateTimeOffset? RequeuedAt = null)
{
    /// <summary>Since when the job has been waiting in the queue this time: its requeue, else its submit.</summary>
    public DateTimeOffset QueuedSince => RequeuedAt is { } r && r > SubmittedAt ? r : SubmittedAt;

    public TimeSpan RemainingWork
    {
        get
        {
            var remaining = EstimatedDuration - SavedProgress;
            return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
        }
    }

    public bool AcceptsAnyModel => AcceptableGpuModels.Count == 0;

    /// <summary>GPUs the job holds and is charged for on-prem: its share of one GPU (ADR 0011), else its GPUs.</summary>
    public decimal GpusCharged => GpuShare ?? Gpus;
}

/// <summary>One setback of a job on spot: an interruption or a launch refused for lack of capacity, and where.</summary>
public sealed record SpotStrike(string Provider, string Region, string? Zone, SpotStrikeKind Kind);

public enum SpotStrikeKind
{
    Interrupted,
    FailedLaunch,
}
