namespace Broker.Core.Jobs;

/// <summary>A validated job submission, already normalized (GPU model names, UTC times). The team is not part of it.</summary>
public sealed record JobSubmission(
    string Name,
    int GpuCount,
    IReadOnlyList<string> GpuModels,
    int? MinGpuMemoryGb,
    int CpuCores,
    int MemoryGb,
    string Image,
    IReadOnlyList<string> Command,
    TimeSpan EstimatedDuration,
    DateTimeOffset? Deadline,
    int Priority,
    bool SpotAllowed,
    TimeSpan? CheckpointInterval,
    decimal? MaxPricePerGpuHour,
    IReadOnlyDictionary<string, string> Labels,
    decimal? GpuShare = null,
    string? GpuMigProfile = null,
    IReadOnlyDictionary<string, string>? Env = null,
    IReadOnlyDictionary<string, string>? SecretEnv = null);
