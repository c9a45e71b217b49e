namespace Broker.Core.Simulation;

/// <summary>One job of a replayed trace. Times are seconds on the trace's own clock.</summary>
/// <param name="GpuModels">Normalized acceptable GPU models; empty means any.</param>
/// <param name="DeadlineS">Absolute deadline on the trace clock, or null.</param>
/// <param name="CheckpointS">Checkpoint interval in seconds, or null when the job does not checkpoint.</param>
/// <param name="MinGpuMemoryGb">Smallest GPU memory the job accepts; 0 when it does not care (trace files never say).</param>
/// <param name="MaxPricePerGpuHour">The job's own price cap; null for none (trace files never say).</param>
/// <param name="OnPremRefusal">Why the job may not run on-prem at all (its team has no on-prem user); null when it may.</param>
/// <param name="Signature">What makes runs of the same job alike for runtime prediction (e.g. the job type); empty if unknown.</param>
/// <param name="LimitS">The user's requested runtime (limit); null means the trace does not say (see the scenario's estimates).</param>
/// <param name="GpuShare">A fraction of one GPU (0 &lt; share &lt; 1, with <paramref name="Gpus"/> = 1): packed on a shared GPU
/// on-prem (ADR 0011) and charged that share; null for whole GPUs.</param>
public sealed record TraceJob(
    string JobId,
    string Team,
    long SubmitS,
    long DurationS,
    int Gpus,
    IReadOnlyList<string> GpuModels,
    long? DeadlineS,
    bool SpotOk,
    long? CheckpointS,
    int Priority = 0,
    int MinGpuMemoryGb = 0,
    decimal? MaxPricePerGpuHour = null,
    string? OnPremRefusal = null,
    string Signature = "",
    long? LimitS = null,
    decimal? GpuShare = null)
{
    /// <summary>What the user asked for: the limit when known, else the real duration (an oracle).</summary>
    public long RequestedS => LimitS ?? DurationS;

    /// <summary>Whether the job may run on GPUs of <paramref name="model"/>: any model when it names none.</summary>
    public bool AcceptsModel(string model) => GpuModels.Count == 0 || GpuModels.Contains(model, StringComparer.OrdinalIgnoreCase);
}
