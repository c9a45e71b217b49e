namespace Broker.Core.Provisioning;

/// <summary>Timeouts and graces of the job lifecycle (configuration section <c>Lifecycle</c>).</summary>
public sealed class LifecycleOptions
{
    /// <summary>Base URL instances call back to (<c>/v1/instances/{id}/events</c>).</summary>
    public Uri CallbackBaseUrl { get; set; } = new("http://127.0.0.1:5080/");

    /// <summary>
    /// Whether on-prem batch scripts post <c>started</c> and <c>finished</c> themselves. Off only where Slurm cannot reach
    /// <see cref="CallbackBaseUrl"/> (an in-process test host): the script would hold its node while it retries.
    /// </summary>
    public bool OnPremCallbacks { get; set; } = true;

    /// <summary>
    /// After submitting an on-prem job, how long the provisioning step keeps asking Slurm whether it started (so it shows
    /// <c>running</c> within a second instead of at the next reconciler round). Zero turns the watch off.
    /// </summary>
    public TimeSpan OnPremStartWatch { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>An intent row not yet carried out after this long is handed to provisioning again (a lost enqueue).</summary>
    public TimeSpan RequeueRequestedAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Decisions a placement pass writes per transaction (allocation rows, reservations, job moves); a chunk that conflicts
    /// is written again one decision at a time.
    /// </summary>
    public int PlacementWriteChunkSize { get; set; } = 200;

    /// <summary>Allocations per provisioning job: a pass's allocations are carried out in chunks of this many.</summary>
    public int ProvisionChunkSize { get; set; } = 100;

    /// <summary>
    /// How many allocations of one chunk are provisioned at once (each a provider call that may take seconds, or a Slurm
    /// submit); every Hangfire worker running a chunk holds up to this many database connections.
    /// </summary>
    public int ProvisionParallelism { get; set; } = 8;

    /// <summary>
    /// Not running after this long: terminate and place elsewhere. Counts from the allocation's creation, so it covers a
    /// segment stuck before provisioning (its launch keeps failing with transient errors) as well as a machine that never
    /// reported <c>started</c>.
    /// </summary>
    public TimeSpan LaunchTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// A job whose launches failed (refused for good or timed out, not capacity) this many times fails with the last reason
    /// instead of being placed again. A job that cannot run as submitted fails at its first launch.
    /// </summary>
    public int MaxLaunchFailures { get; set; } = 3;

    /// <summary>How long a created instance may be missing from the provider's list before it counts as vanished.</summary>
    public TimeSpan VanishGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A managed instance with no live allocation is terminated once it is older than this.</summary>
    public TimeSpan OrphanGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Hard lease: a running segment still running this many times its job's estimate after it started is terminated and
    /// its job failed ("lease expired"). There is no way to extend a job yet, so no extension is honoured. The default when
    /// the team's effective policy names no <c>leaseFactor</c>; each segment captures its factor when placed.
    /// </summary>
    public double LeaseFactor { get; set; } = 3;

    /// <summary>The lease factor a segment runs under: the one captured at its placement, else the configured one.</summary>
    public double LeaseFactorOf(Allocation allocation) => allocation.LeaseFactor ?? LeaseFactor;

    /// <summary>
    /// Added to every lease. The lease measures the compute's lifetime (the Slurm job, the instance), and that includes the
    /// script's own talk with Broker: the <c>started</c> post it waits for, the last log chunks and the <c>finished</c> post,
    /// each retried with backoff up to a minute apart while Broker is slow or unreachable. Without it, a job of a minute
    /// whose replica stalled for three (estimate x 3) was failed although its command had succeeded.
    /// </summary>
    public TimeSpan LeaseGrace { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a segment may run from its start: its job's whole estimate times its lease factor, plus the grace.</summary>
    public TimeSpan LeaseOf(Allocation allocation, TimeSpan estimate) => estimate * LeaseFactorOf(allocation) + LeaseGrace;
}
