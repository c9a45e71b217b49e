namespace Broker.Core.Provisioning;

/// <summary>
/// An on-prem GPU cluster (Slurm through slurmrestd). Contract:
/// <list type="bullet">
/// <item><see cref="GetInventoryAsync"/> never throws for an unreachable cluster: it returns <see cref="ClusterInventory.Available"/> = false
/// with the reason, so the engine simply sees no on-prem capacity until it comes back.</item>
/// <item><see cref="SubmitAsync"/> is idempotent by <see cref="OnPremJobRequest.AllocationId"/>: the cluster job is named after it and a
/// retry that finds a job of that name returns it instead of submitting a second one.</item>
/// <item><see cref="CancelAsync"/> of an unknown or finished job succeeds.</item>
/// <item><see cref="ListBrokerJobsAsync"/> lists only jobs whose name marks them as Broker's (Slurm: <c>broker-</c>), in
/// every state the cluster still remembers; it throws <see cref="ClusterUnavailableException"/> when it cannot answer,
/// never an empty list in place of an answer.</item>
/// <item>Drained or down nodes are reported but <see cref="OnPremNodeInfo.IsSchedulable"/> is false for them.</item>
/// </list>
/// </summary>
public interface IOnPremCluster
{
    Task<ClusterInventory> GetInventoryAsync(CancellationToken cancellationToken);

    Task<OnPremJobStatus> SubmitAsync(OnPremJobRequest request, CancellationToken cancellationToken);

    /// <summary>The job run for this allocation, or null when the cluster has no such job.</summary>
    Task<OnPremJobStatus?> GetJobAsync(Guid allocationId, CancellationToken cancellationToken);

    Task CancelAsync(Guid allocationId, CancellationToken cancellationToken);

    /// <summary>Every cluster job named as Broker names its jobs, for garbage collection (ADR 0013).</summary>
    Task<IReadOnlyList<OnPremClusterJob>> ListBrokerJobsAsync(CancellationToken cancellationToken);
}

/// <summary>A cluster job that carries Broker's name.</summary>
/// <param name="AllocationId">The allocation the name stands for, or null when the rest of the name is not an allocation id.</param>
public sealed record OnPremClusterJob(string ClusterJobId, string Name, OnPremJobState State, Guid? AllocationId);

public enum OnPremNodeState
{
    Idle,
    Mixed,
    Allocated,
    Drained,
    Down,
    Unknown,
}

/// <param name="ShardTotal">GPU shards (Slurm gres/shard) of the node; each GPU has <c>ShardTotal / GpuTotal</c>.</param>
/// <param name="ShardsInUseByGpu">Shards in use on each GPU that has some (one job's shards come from one GPU), in GPU
/// index order; null or empty when none are.</param>
/// <param name="Mig">The node's MIG slices by profile; null for a node without MIG.</param>
/// <param name="ShardHolders">Broker's allocations running on those shared GPUs where the cluster says which GPU each holds;
/// null for none.</param>
public sealed record OnPremNodeInfo(string Name, string GpuModel, int GpuTotal, int GpuUsed, OnPremNodeState State, int Cpus, int MemoryMb,
    int ShardTotal = 0, IReadOnlyList<int>? ShardsInUseByGpu = null, IReadOnlyList<MigSlices>? Mig = null,
    IReadOnlyList<ShardHolder>? ShardHolders = null)
{
    public int ShardsPerGpu => GpuTotal > 0 ? ShardTotal / GpuTotal : 0;

    public int ShardUsed => ShardsInUseByGpu?.Sum() ?? 0;

    public int GpuIdle => Math.Max(0, GpuTotal - GpuUsed);

    public bool IsSchedulable => State is OnPremNodeState.Idle or OnPremNodeState.Mixed or OnPremNodeState.Allocated;
}

public sealed record ClusterInventory(bool Available, string? UnavailableReason, IReadOnlyList<OnPremNodeInfo> Nodes)
{
    public static ClusterInventory Unavailable(string reason) => new(false, reason, []);
}

/// <param name="Node">The node the engine chose; the job is pinned to it.</param>
/// <param name="TimeLimit">Wall-clock limit; the adapter rounds up to whole minutes.</param>
/// <param name="Script">A bash script (a leading <c>#!</c> line is ignored: it always runs under bash, after the
/// adapter's own lines that create the job's output directory and send its output there).</param>
/// <param name="UserName">The team's unprivileged Unix user the job runs as (never root); the cluster refuses the job
/// when it does not know that user.</param>
/// <param name="Share">A fraction of one GPU: the adapter asks for the node's shards, rounded up (several jobs share one GPU).</param>
/// <param name="MigProfile">A MIG profile (<c>1g.10gb</c>): the adapter asks for one GPU slice of that type.</param>
/// <param name="Account">The cluster account to charge, or null for the user's default.</param>
/// <param name="OutputDirectory">The team's directory on the nodes (owned by <paramref name="UserName"/>, mode 700); the
/// job writes into <c>&lt;dir&gt;/&lt;allocation id&gt;/</c>, created mode 700.</param>
/// <param name="CpusPerTask">CPU cores the job asked for (Slurm <c>--cpus-per-task</c>); 0 leaves the cluster's default.</param>
/// <param name="MemoryMb">Memory the job asked for, in MiB (Slurm <c>--mem</c>); 0 leaves the cluster's default. For a gang, per member node.</param>
/// <param name="Nodes">A gang (ADR 0012): the member node names in order (<paramref name="Node"/> first). The adapter submits ONE
/// cluster job over exactly these nodes with <c>Gpus / Nodes.Count</c> GPUs (and <paramref name="CpusPerTask"/>,
/// <paramref name="MemoryMb"/>) on each, and runs the script's command once per node; null or one node for an ordinary job.</param>
public sealed record OnPremJobRequest(
    Guid AllocationId,
    Guid JobId,
    string Node,
    string GpuType,
    int Gpus,
    TimeSpan TimeLimit,
    string Script,
    IReadOnlyDictionary<string, string> Environment,
    string UserName,
    string? Account,
    string OutputDirectory,
    decimal? Share = null,
    string? MigProfile = null,
    int CpusPerTask = 0,
    int MemoryMb = 0,
    IReadOnlyList<string>? Nodes = null)
{
    /// <summary>True for a job over several nodes.</summary>
    public bool IsGang => Nodes is { Count: > 1 };

    /// <summary>GPUs on each node the job runs on.</summary>
    public int GpusPerNode => IsGang ? Gpus / Nodes!.Count : Gpus;
}

/// <summary>Broker's view of a cluster job's state (Slurm PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED...).</summary>
public enum OnPremJobState
{
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
    TimedOut,
    NodeFailed,
    Preempted,
}

public sealed record OnPremJobStatus(string ClusterJobId, Guid AllocationId, OnPremJobState State, string? Node,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, int? ExitCode);

/// <summary>A Broker allocation holding shards of a node's shared GPU <paramref name="SharedGpu"/> (an index into
/// <see cref="OnPremNodeInfo.ShardsInUseByGpu"/>, not the cluster's GPU index).</summary>
public sealed record ShardHolder(Guid AllocationId, int SharedGpu);

/// <summary>The MIG slices of one profile on a node (<c>gpu:1g.10gb:4</c>) and how many are in use.</summary>
public sealed record MigSlices(string Profile, int Total, int Used);
