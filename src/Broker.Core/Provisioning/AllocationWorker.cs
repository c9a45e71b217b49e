using Broker.Core.Capacity;
using Broker.Core.Errors;
using Broker.Core.Jobs;
using Broker.Core.OnPrem;
using Broker.Core.Persistence;
using Broker.Core.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Broker.Core.Provisioning;

/// <summary>
/// Carries allocations out: creates the Slurm job or cloud instance, applies instance events, and releases what a finished
/// segment leaves behind. Every step is idempotent: it re-reads the rows, does nothing when its move was already made, and
/// relies on the provider's idempotency token when it has to call out again.
/// </summary>
public sealed partial class AllocationWorker(BrokerDbContext db, ComputeProviders clouds, IOnPremCluster cluster, CallbackTokens tokens,
    OfferCatalogService offers, UnavailableOfferCache unavailable, LifecycleOptions options, TimeProvider clock, ILogger<AllocationWorker> logger,
    OnPremTenancy tenancy, Costs.CostRecorder ledger, Scheduling.PlacementWakeUps passes, OnPremImageStoreOptions images, ProviderHealth health)
{
    /// <summary>
    /// Carries an allocation out: launches a requested one; releases one already releasing (a segment a pass ended by moving
    /// its job, ADR 0009: its Slurm job or instance goes at once rather than at the reconciler's next round).
    /// </summary>
    public async Task ProvisionAsync(Guid allocationId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var allocation = await db.Allocations.AsNoTracking().FirstOrDefaultAsync(a => a.Id == allocationId, ct);
        if (allocation is { State: AllocationState.Releasing })
        {
            await ReleaseAsync(allocation, ct);
            return;
        }
        var job = allocation is null ? null : await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == allocation.JobId, ct);
        if (allocation is null || job is null
            || allocation.State is not (AllocationState.Requested or AllocationState.Provisioning) || allocation.ExternalId is not null)
        {
            return;
        }
        if (job.State == JobState.Cancelled)
        {
            await ApplyAsync(allocationId, (_, a, now) => JobLifecycle.Cancelled(a, now), ct);
            return;
        }
        if (!allocation.IsOnPrem && await CloudStops.WhyStoppedAsync(db, allocation.Provider, ct) is { } stopped)
        {
            logger.LogInformation("Allocation {Allocation}: launch withheld: {Reason}", allocationId, stopped);
            await ApplyAsync(allocationId, (j, a, now) => JobLifecycle.Interrupted(j, a, AllocationEnd.Withheld, $"Launch withheld: {stopped}", now), ct);
            return;
        }
        if (allocation.IsCloudGang)
        {
            await ProvisionGangAsync(job, allocation, ct);
            return;
        }
        string externalId;
        // Permanent errors end here, recorded on the rows, and are never thrown: a thrown error is retried (by the reconciler,
        // which hands a Requested allocation back until the launch timeout), so only transient ones may leave this method.
        try
        {
            externalId = allocation.IsOnPrem
                ? (await cluster.SubmitAsync(OnPremRequest(job, allocation), ct)).ClusterJobId
                : (await clouds.Get(allocation.Provider).CreateAsync(CloudRequest(job, allocation), ct)).InstanceId;
        }
        catch (Exception e) when (IsRefusal(e))
        {
            await RecordRefusalAsync(allocationId, job.Id, e, ct);
            return;
        }
        await ApplyAsync(allocationId, (j, a, now) => JobLifecycle.Provisioning(j, a, externalId, now), ct);
        if (allocation.IsOnPrem)
        {
            await WatchOnPremStartAsync(allocationId, ct);
        }
    }

    /// <summary>A launch refused for good (ends the segment), as opposed to a transient failure (retried later).</summary>
    private static bool IsRefusal(Exception e) => e is ArgumentException or ProviderException { Kind: not ProviderErrorKind.Transient };

    /// <summary>Records a launch refused for good (<see cref="IsRefusal"/>) on the rows.</summary>
    private async Task RecordRefusalAsync(Guid allocationId, Guid jobId, Exception refusal, CancellationToken ct)
    {
        switch (refusal)
        {
            case ArgumentException e:
                // A value the launch cannot carry: the boot or batch script refused the job's spec (StartupScript, ShellQuote),
                // or an adapter refused an argument before sending. The same values fail the same way every time and on every
                // machine, so the job fails with the reason instead of being retried or placed again.
                logger.LogWarning("Allocation {Allocation}: job {Job} cannot be launched: {Reason}", allocationId, jobId, e.Message);
                await FailLaunchAsync(allocationId, AllocationEnd.LaunchFailed, $"The job cannot be launched: {Reason(e)}", jobCannotRun: true, ct);
                break;
            case ProviderException { Kind: ProviderErrorKind.Capacity } e:
                logger.LogInformation("Launch of allocation {Allocation}: no capacity ({Code})", allocationId, e.ProviderCode);
                await ApplyAsync(allocationId, (j, a, now) => JobLifecycle.Interrupted(j, a, AllocationEnd.NoCapacity, $"No capacity ({e.ProviderCode})", now), ct);
                // The job is pending again: its next option is decided by a pass now (one per second at most), not at the next regular one.
                await passes.ScheduleAtAsync(clock.GetUtcNow(), clock.GetUtcNow(), ct);
                break;
            case ProviderException e:
                logger.LogWarning("Launch of allocation {Allocation} failed: {Code}: {Message}", allocationId, e.ProviderCode, e.Message);
                await FailLaunchAsync(allocationId, AllocationEnd.LaunchFailed, $"Launch failed ({e.ProviderCode})", jobCannotRun: false, ct);
                break;
            default:
                throw new ArgumentException("not a refusal", nameof(refusal), refusal);
        }
    }

    /// <summary>
    /// Right after a submit, asks Slurm a few times (0.2 s doubling, for at most <see cref="LifecycleOptions.OnPremStartWatch"/>)
    /// whether the job started, so a job on idle GPUs is <c>running</c> about when Slurm started it rather than at the next
    /// reconciler round; the start time is Slurm's. Anything else it sees (still pending, ended, gone, Slurm unreachable) is
    /// left to the reconciler.
    /// </summary>
    private async Task WatchOnPremStartAsync(Guid allocationId, CancellationToken ct)
    {
        var watched = System.Diagnostics.Stopwatch.StartNew();
        for (var delay = TimeSpan.FromMilliseconds(200); watched.Elapsed + delay <= options.OnPremStartWatch; delay *= 2)
        {
            await Task.Delay(delay, ct);
            OnPremJobStatus? status;
            try
            {
                status = await cluster.GetJobAsync(allocationId, ct);
            }
            catch (ClusterUnavailableException)
            {
                return;
            }
            if (status is { State: OnPremJobState.Running })
            {
                await ApplyAsync(allocationId, (j, a, now) => JobLifecycle.Started(j, a, EventTimes.Clamp(status.StartedAt, a.CreatedAt, now)), ct);
            }
            if (status is not { State: OnPremJobState.Pending })
            {
                return;
            }
        }
    }

    /// <summary>
    /// Ends a segment that never came up (<see cref="AllocationEnd.LaunchFailed"/> or <see cref="AllocationEnd.LaunchTimeout"/>)
    /// and requeues its job, or fails the job with the reason when it cannot run at all or when this was its
    /// <see cref="LifecycleOptions.MaxLaunchFailures"/>-th failed launch. Capacity refusals do not count: placement moves on.
    /// </summary>
    internal async Task FailLaunchAsync(Guid allocationId, AllocationEnd end, string reason, bool jobCannotRun, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var jobId = await db.Allocations.AsNoTracking().Where(a => a.Id == allocationId).Select(a => (Guid?)a.JobId).FirstOrDefaultAsync(ct);
        if (jobId is null)
        {
            return;
        }
        var earlier = await db.Allocations.AsNoTracking().CountAsync(a => a.JobId == jobId && a.Id != allocationId
            && (a.End == AllocationEnd.LaunchFailed || a.End == AllocationEnd.LaunchTimeout), ct);
        var failures = earlier + 1;
        var giveUp = jobCannotRun || failures >= options.MaxLaunchFailures;
        if (giveUp && !jobCannotRun)
        {
            logger.LogWarning("Job {Job} failed to launch {Failures} times; failing it: {Reason}", jobId, failures, reason);
        }
        await ApplyAsync(allocationId, (j, a, now) => JobLifecycle.LaunchFailed(j, a, end, reason, giveUp ? failures : null, now), ct);
    }

    private static string Reason(ArgumentException e)
    {
        var text = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
        return text.Length > 500 ? text[..500] : text;
    }

    /// <summary>
    /// An event from the instance's boot script, the on-prem job's script or the simulated cloud, under the callback rules
    /// (<see cref="InstanceEventRecorder"/>): recorded and applied in one transaction, or refused with nothing changed.
    /// A segment it ends is released here; if the cloud or Slurm cannot be reached for that, the reconciler releases it.
    /// </summary>
    public async Task<InstanceEventOutcome> HandleEventAsync(InstanceEvent e, CallbackPurpose purpose, CancellationToken ct)
    {
        var (outcome, released) = await new InstanceEventRecorder(db, cluster, clock).RecordAsync(e, purpose, ct);
        if (released is not null)
        {
            try
            {
                await ReleaseAsync(released, ct);
            }
            catch (Exception ex) when (ex is ClusterUnavailableException or ProviderException)
            {
                logger.LogWarning("Release of allocation {Allocation} after its {Kind} event is left to the reconciler: {Reason}",
                    e.AllocationId, e.Kind, ex.Message);
            }
        }
        return outcome;
    }

    /// <summary>Loads job and allocation tracked, applies one move, saves; returns whether the allocation is now releasing.</summary>
    internal async Task<bool> ApplyAsync(Guid allocationId, Action<Job, Allocation, DateTimeOffset> move, CancellationToken ct) =>
        await ConcurrencyRetry.RunAsync(db, async () =>
        {
            var allocation = await db.Allocations.FirstOrDefaultAsync(a => a.Id == allocationId, ct);
            if (allocation is null)
            {
                return false;
            }
            var job = await db.Jobs.FirstAsync(j => j.Id == allocation.JobId, ct);
            move(job, allocation, PostgresTime.Now(clock));
            return allocation.State == AllocationState.Releasing;
        });

    private InstanceRequest CloudRequest(Job job, Allocation a)
    {
        var script = StartupScript.Render(new StartupScriptSpec(job.Id, a.Id, job.Image, job.Command, a.Gpus, Environment(job, a),
            options.CallbackBaseUrl, tokens.ForCloudInstance(a, job, options), FetchJobEnvironment: job.HasEnvironment));
        return new InstanceRequest(a.Id, job.Id, a.Region!, a.Zone, a.InstanceType!, a.Market, null, script);
    }

    /// <summary>
    /// The Slurm job, run as the team's own user. Its run section is the job's image under rootless runc when ops configured
    /// a site image store (<see cref="OnPremContainerRunSection"/>), else the command after <c>command --</c>, each word quoted
    /// (a first word starting with a dash, or naming a script function, stays the program to run), between the prologue
    /// and epilogue that post <c>started</c> and <c>finished</c> and ship its output. A team without an on-prem user never gets here from
    /// placement; if it does (the mapping was removed since), the launch fails instead of running the job as anyone else.
    /// </summary>
    private OnPremJobRequest OnPremRequest(Job job, Allocation a)
    {
        var team = tenancy.For(job.Team) ?? throw new ProviderException(a.Provider, ProviderErrorKind.InvalidRequest, BlockScope.None,
            "no-onprem-user", OnPremTenancy.NoMapping(job.Team));
        var remaining = job.EstimatedDuration - job.SavedProgress;
        var command = string.Join(' ', job.Command.Select(StartupScript.ShellQuote));
        if (job.HasEnvironment && !options.OnPremCallbacks)
        {
            // Its variables reach a Slurm job only through the script's own fetch from Broker (ADR 0015).
            throw new ArgumentException("the job has variables (env, secretEnv), and this Broker's on-prem jobs cannot reach it (Lifecycle:OnPremCallbacks is false)");
        }
        var container = images.ImageStore is { } store ? OnPremContainerRunSection.Render(job.Id, a.Id, job.Image, job.Command, store,
                images.CheckedContainerDevices()) : null;
        return new OnPremJobRequest(a.Id, job.Id, a.Node!, a.GpuModel, a.Gpus, remaining + TimeSpan.FromTicks(remaining.Ticks / 5) + TimeSpan.FromMinutes(5),
            options.OnPremCallbacks
                ? OnPremBatchScript.Render(a.Id, options.CallbackBaseUrl, tokens.ForOnPremScript(a, job, options), container ?? $"command -- {command}\n",
                    fetchJobEnvironment: job.HasEnvironment)
                : container is null ? $"#!/bin/bash\nexec -- {command}\n" : $"#!/bin/bash\n{CallbackShell.JsonStringFunction}{container}",
            Environment(job, a), team.User, team.Account, team.OutputDirectory, Share: job.Gpu.Share,
            MigProfile: job.Gpu.MigProfile, CpusPerTask: job.CpuCores, MemoryMb: job.MemoryGb * 1024, Nodes: a.MemberNodes);
    }

    private static Dictionary<string, string> Environment(Job job, Allocation a) => new(StringComparer.Ordinal)
    {
        ["BROKER_JOB_ID"] = job.Id.ToString(),
        ["BROKER_ALLOCATION_ID"] = a.Id.ToString(),
        ["BROKER_IMAGE"] = job.Image,
        ["BROKER_SIM_DURATION_SECONDS"] = ((long)(job.EstimatedDuration - job.SavedProgress).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["BROKER_RESUME_FROM_SECONDS"] = ((long)job.SavedProgress.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
