namespace Broker.Core.Placement;

/// <summary>One on-prem node: all its GPUs are of one model. <paramref name="IdleGpus"/> is what is free right now.</summary>
/// <param name="Schedulable">False for drained or down nodes; the engine never places on them.</param>
/// <param name="FreeCpus">CPU cores not held by running jobs; <see cref="int.MaxValue"/> when unknown.</param>
/// <param name="FreeMemoryGb">Memory (GB) not held by running jobs; <see cref="int.MaxValue"/> when unknown.</param>
/// <param name="Mig">The node's MIG slices by profile with how many are free now (ADR 0011); null for a node without MIG.</param>
/// <param name="ShardsPerGpu">Slurm gres/shard granularity of the node's GPUs; 0 when its GPUs cannot be shared.</param>
/// <param name="SharedGpuShards">Shards in use on each GPU opened for sharing (those GPUs are not among <paramref name="IdleGpus"/>);
/// null for none.</param>
/// <param name="SharedTenants">The shared jobs on those GPUs with their expected ends, where known (a GPU whose tenants are not all
/// listed is taken to free its shards only when it frees whole).</param>
public sealed record OnPremNode(string Name, string GpuModel, int GpuMemoryGb, int TotalGpus, int IdleGpus, bool Schedulable = true,
    int FreeCpus = int.MaxValue, int FreeMemoryGb = int.MaxValue, IReadOnlyList<MigRoom>? Mig = null, int ShardsPerGpu = 0,
    IReadOnlyList<int>? SharedGpuShards = null, IReadOnlyList<SharedTenant>? SharedTenants = null)
{
    /// <summary>
    /// The tenants of shared GPU <paramref name="sharedGpu"/> when they explain every shard in use on it (their shards add up);
    /// null when some shard's holder is unknown (not counted by Slurm yet, or Slurm did not say which GPU it holds), as then the
    /// GPU's shards free only when it frees whole.
    /// </summary>
    public IReadOnlyList<SharedTenant>? TenantsExplaining(int sharedGpu)
    {
        if (SharedGpuShards is not { } used || sharedGpu < 0 || sharedGpu >= used.Count)
        {
            return null;
        }
        var known = (SharedTenants ?? []).Where(t => t.SharedGpu == sharedGpu).ToList();
        return known.Count > 0 && known.Sum(t => t.Shards) == used[sharedGpu] ? known : null;
    }
}

/// <summary>A shared job on a node's shared GPU: the GPU (index into <see cref="OnPremNode.SharedGpuShards"/>), its shards, its expected end.</summary>
public sealed record SharedTenant(int SharedGpu, int Shards, DateTimeOffset ExpectedEnd);

/// <summary>One MIG profile on a node: its slices and how many are free (not used by Slurm's jobs nor held by Broker).</summary>
public sealed record MigRoom(string Profile, int Total, int Free);

/// <summary>A job running on an on-prem node; its expected end feeds the wait estimate.</summary>
/// <param name="Progress">What the rule that moves running jobs to free a node reads (ADR 0009, session 30 amendment); null
/// when the caller does not say (the job is then never moved).</param>
public sealed record RunningOnPremJob(string JobId, string Team, string Node, int Gpus, DateTimeOffset ExpectedEnd,
    OnPremProgress? Progress = null);

/// <summary>A running on-prem job's progress, as the move that frees a node for a larger pending job weighs it.</summary>
/// <param name="AcceptableGpuModels">Normalized GPU model names; empty means any model.</param>
/// <param name="CheckpointInterval">Null when the job does not checkpoint.</param>
/// <param name="SinceCheckpoint">Work done since its last checkpoint (all its work in this run without checkpoints): lost,
/// and redone, if it moves now.</param>
/// <param name="RemainingWork">The engine's estimate of the work left if the job stays where it is.</param>
/// <param name="SpotAllowed">The job accepts being interrupted and restarted: without checkpoints it may still move, all its
/// work in this run being the rework. A job that neither checkpoints nor accepts interruption never moves.</param>
/// <param name="Preemptions">Times the job was interrupted or moved so far (the policy's per-job bound applies).</param>
/// <param name="Moved">True once the job was moved to free a node: a job moves at most once by that rule.</param>
public sealed record OnPremProgress(
    IReadOnlyList<string> AcceptableGpuModels,
    int MinGpuMemoryGb,
    TimeSpan? CheckpointInterval,
    TimeSpan SinceCheckpoint,
    TimeSpan RemainingWork,
    bool SpotAllowed,
    DateTimeOffset? Deadline,
    int Preemptions,
    bool Moved);
