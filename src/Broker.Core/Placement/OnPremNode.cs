namespace Broker.Core.Placement;

/// <summary>One on-prem node: all its GPUs are of one model. <paramref name="IdleGpus"/> is what is free right now.</summary>
/// <param name="Schedulable">False for drained or down nodes; the engine never places on them.</param>
/// <param name="FreeCpus">CPU cores not held by running jobs; <see cref="int.MaxValue"/> when unknown.</param>
/// <param name="FreeMemoryGb">Memory (GB) not held by running jobs; <see cref="int.MaxValue"/> when unknown.</param>
public sealed record OnPremNode(string Name, string GpuModel, int GpuMemoryGb, int TotalGpus, int IdleGpus, bool Schedulable = true,
    int FreeCpus = int.MaxValue, int FreeMemoryGb = int.MaxValue);

/// <summary>A job running on an on-prem node; its expected end feeds the wait estimate.</summary>
public sealed record RunningOnPremJob(string JobId, string Team, string Node, int Gpus, DateTimeOffset ExpectedEnd);
