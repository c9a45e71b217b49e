namespace Broker.Core.Simulation;

/// <summary>One job of a replayed trace. Times are seconds on the trace's own clock.</summary>
/// <param name="GpuModels">Normalized acceptable GPU models; empty means any.</param>
/// <param name="DeadlineS">Absolute deadline on the trace clock, or null.</param>
/// <param name="CheckpointS">Checkpoint interval in seconds, or null when the job does not checkpoint.</param>
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
    int Priority = 0);
