using Broker.Core.Capacity;

namespace Broker.Core.Provisioning;

public enum AllocationState
{
    /// <summary>The intent is written; nothing exists outside yet.</summary>
    Requested,
    /// <summary>Create was sent (instance or Slurm job); waiting for it to run.</summary>
    Provisioning,
    Running,
    /// <summary>The job ended or was cancelled; the instance or Slurm job must go.</summary>
    Releasing,
    /// <summary>Nothing is left outside; the allocation is history.</summary>
    Closed,
}

public enum AllocationEnd
{
    Completed,
    Failed,
    Cancelled,
    Interrupted,
    /// <summary>The provider refused for lack of capacity (or the offer was blocked): placement moves on; not a launch failure.</summary>
    NoCapacity,
    /// <summary>The launch was refused for good (bad request, credentials, or a job that cannot run); counts towards the job's limit.</summary>
    LaunchFailed,
    /// <summary>Nothing ran within the launch timeout (still requested, or no running instance); counts towards the job's limit.</summary>
    LaunchTimeout,
    Vanished,
    /// <summary>Ops stopped bursting or drained the provider before the instance was created: nothing ran, nothing is billed.</summary>
    Withheld,
    /// <summary>Ops terminated the instance (<c>POST /v1/instances/{id}/terminate</c>): billed to its end, the job requeued.</summary>
    Terminated,
    /// <summary>
    /// The broker moved the job back on-prem (ADR 0009, amendment): the segment is billed to its instance's end, its
    /// checkpointed work is kept, and the job's next segment may start while this one is still releasing.
    /// </summary>
    Migrated,
}

/// <summary>
/// The intent to run one segment of a job somewhere: written before any side effect, its id is the idempotency token for
/// the cloud (ClientToken, requestId, VM name) and the Slurm job name.
/// </summary>
public sealed class Allocation
{
    public Guid Id { get; set; }

    public Guid JobId { get; set; }

    public CapacityType Market { get; set; }

    /// <summary><c>slurm</c> for on-prem, else the cloud (<c>aws</c>, <c>azure</c>, <c>gcp</c>).</summary>
    public string Provider { get; set; } = "";

    public string? Region { get; set; }

    public string? Zone { get; set; }

    public string? InstanceType { get; set; }

    /// <summary>The node of an on-prem allocation; for a gang its first member.</summary>
    public string? Node { get; set; }

    /// <summary>
    /// An on-prem gang (ADR 0012): every member node in order, <see cref="Node"/> first, each holding
    /// <c>Gpus / MemberNodes.Count</c> GPUs of one Slurm job. Null for a single-node allocation.
    /// </summary>
    public List<string>? MemberNodes { get; set; }

    public string GpuModel { get; set; } = "";

    public int Gpus { get; set; }

    public decimal PricePerHour { get; set; }

    /// <summary>
    /// The lease factor in effect when the segment was placed (the team's effective policy, else
    /// <see cref="LifecycleOptions.LeaseFactor"/>): a running segment keeps the terms it started with. Null on rows written
    /// before it was captured; those take the configured factor.
    /// </summary>
    public double? LeaseFactor { get; set; }

    public AllocationState State { get; set; }

    public AllocationEnd? End { get; set; }

    public string? EndReason { get; set; }

    /// <summary>
    /// Why the segment's job failed as its own script reported it (the <c>reason</c> of its finished event, e.g. an image
    /// missing from the site image store). On-prem it is kept when the event itself must wait for Slurm's record of the
    /// end, and the failure is shown with it once that record arrives.
    /// </summary>
    public string? ReportedReason { get; set; }

    /// <summary>Instance id or Slurm job id, once known.</summary>
    public string? ExternalId { get; set; }

    /// <summary>SHA-256 of the per-instance callback token; the token itself only travels in the boot script.</summary>
    public string? CallbackTokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>
    /// When the reconciler last handed this still-<see cref="AllocationState.Requested"/> row back to provisioning (a lost
    /// enqueue); it hands a row back at most once per <see cref="LifecycleOptions.RequeueRequestedAfter"/>, across replicas.
    /// </summary>
    public DateTimeOffset? HandedBackAt { get; set; }

    public uint Version { get; set; }

    public bool IsOnPrem => Market == CapacityType.OnPrem;

    /// <summary>Every node the allocation holds GPUs on: the gang's members, or its one node (none for the cloud).</summary>
    public IReadOnlyList<string> Nodes => MemberNodes is { Count: > 0 } members ? members : Node is null ? [] : [Node];

    /// <summary>GPUs this allocation holds on <paramref name="node"/>: its equal share for a gang member, 0 elsewhere.</summary>
    public int GpusOn(string node) => Nodes.Contains(node, StringComparer.Ordinal) ? Gpus / Math.Max(1, Nodes.Count) : 0;

    public bool IsLive => State is not AllocationState.Closed;

    /// <summary>
    /// A cloud gang (ADR 0012): this many instances of <see cref="InstanceType"/> in <see cref="Zone"/>, each with
    /// <c>Gpus / InstanceCount</c> GPUs, launched all or nothing; <see cref="PricePerHour"/> is the whole gang's. Null for one instance.
    /// </summary>
    public int? InstanceCount { get; set; }

    /// <summary>A cloud gang's member instance ids in member order, first = <see cref="ExternalId"/>, once every member was created.</summary>
    public List<string>? MemberInstanceIds { get; set; }

    /// <summary>
    /// The members (positions in <see cref="MemberInstanceIds"/>) the provider itself took when a cloud gang was interrupted
    /// or vanished: written once, with the move that ends the gang. Every other member Broker terminated because its sibling
    /// was gone, an ordinary termination that the provider bills. Null for anything else, or when it was not reported which
    /// member the provider took (<see cref="CloudGang.MemberEnds"/>).
    /// </summary>
    public List<int>? ReclaimedMembers { get; set; }

    public bool IsCloudGang => !IsOnPrem && InstanceCount is > 1;

    /// <summary>The provider's placement group of a cloud gang (derived from the allocation, so every retry names the same one).</summary>
    public string? PlacementGroup => IsCloudGang ? CloudGang.PlacementGroupName(Id) : null;
}
