using Broker.Core.Capacity;
using Broker.Core.Errors;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Broker.Core.Provisioning;

/// <summary>
/// Carries allocations out: creates the Slurm job or cloud instance, applies instance events, and releases what a finished
/// segment leaves behind. Every step is idempotent: it re-reads the rows, does nothing when its move was already made, and
/// relies on the provider's idempotency token when it has to call out again.
/// </summary>
public sealed class AllocationWorker(BrokerDbContext db, ComputeProviders clouds, IOnPremCluster cluster, CallbackTokens tokens,
    OfferCatalogService offers, UnavailableOfferCache unavailable, LifecycleOptions options, TimeProvider clock, ILogger<AllocationWorker> logger,
    Costs.CostRecorder ledger)
{
    public async Task ProvisionAsync(Guid allocationId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var allocation = await db.Allocations.AsNoTracking().FirstOrDefaultAsync(a => a.Id == allocationId, ct);
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
        string externalId;
        try
        {
            externalId = allocation.IsOnPrem
                ? (await cluster.SubmitAsync(OnPremRequest(job, allocation), ct)).ClusterJobId
                : (await clouds.Get(allocation.Provider).CreateAsync(CloudRequest(job, allocation), ct)).InstanceId;
        }
        catch (ProviderException e) when (e.Kind != ProviderErrorKind.Transient)
        {
            logger.LogWarning("Launch of allocation {Allocation} failed: {Code}", allocationId, e.ProviderCode);
            await ApplyAsync(allocationId, (j, a, now) => JobLifecycle.Interrupted(j, a, AllocationEnd.LaunchFailed, $"Launch failed ({e.ProviderCode})", now), ct);
            return;
        }
        await ApplyAsync(allocationId, (j, a, now) => JobLifecycle.Provisioning(j, a, externalId, now), ct);
    }

    /// <summary>An event from the instance's boot script (or the simulated cloud). Unknown allocations are ignored.</summary>
    public async Task HandleEventAsync(Guid allocationId, InstanceEventKind kind, int? exitCode, CancellationToken ct)
    {
        var released = await ApplyAsync(allocationId, (j, a, now) =>
        {
            switch (kind)
            {
                case InstanceEventKind.Started:
                    JobLifecycle.Started(j, a, now);
                    break;
                case InstanceEventKind.Finished:
                    JobLifecycle.Finished(j, a, exitCode ?? -1, now);
                    break;
                case InstanceEventKind.InterruptionNotice:
                    JobLifecycle.Interrupted(j, a, AllocationEnd.Interrupted, "Spot interruption", now);
                    break;
            }
        }, ct);
        if (released)
        {
            await ReleaseAsync(allocationId, ct);
        }
    }

    /// <summary>Terminates the instance (or cancels the Slurm job) of a releasing allocation, then closes it.</summary>
    public async Task ReleaseAsync(Guid allocationId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var allocation = await db.Allocations.AsNoTracking().FirstOrDefaultAsync(a => a.Id == allocationId, ct);
        if (allocation is not { State: AllocationState.Releasing })
        {
            return;
        }
        if (allocation.IsOnPrem)
        {
            await cluster.CancelAsync(allocation.Id, ct);
        }
        else
        {
            var cloud = clouds.Get(allocation.Provider);
            // Without an id the create may still have succeeded (its answer lost): find the instance by its allocation tag.
            var instanceId = allocation.ExternalId
                ?? (await cloud.ListManagedAsync(ct)).FirstOrDefault(i => i.AllocationId == allocation.Id)?.InstanceId;
            if (instanceId is not null)
            {
                await cloud.TerminateAsync(allocation.Region!, allocation.Zone, instanceId, ct);
            }
        }
        var closedNow = await ConcurrencyRetry.RunAsync(db, async () =>
        {
            var row = await db.Allocations.FirstAsync(a => a.Id == allocationId, ct);
            var releasing = row.State == AllocationState.Releasing;
            JobLifecycle.Closed(row, PostgresTime.Now(clock));
            return releasing;
        });
        if (closedNow && allocation is { Market: CapacityType.Spot, StartedAt: { } started, EndedAt: { } ended })
        {
            await LearnFromSpotSegmentAsync(allocation, (ended - started).TotalHours, allocation.End == AllocationEnd.Interrupted, ct);
        }
        if (closedNow)
        {
            await ledger.TryRecordAsync(allocationId, ct);
        }
    }

    /// <summary>
    /// Once per closed spot segment: its instance-hours (and whether it was interrupted) feed the offer's interruption
    /// estimate, and an interruption blocks the offer's spot market for a while so the next placement goes elsewhere.
    /// </summary>
    private async Task LearnFromSpotSegmentAsync(Allocation a, double hours, bool interrupted, CancellationToken ct)
    {
        var key = new OfferKey(a.Provider, a.Region!, a.Zone, a.InstanceType!, CapacityType.Spot);
        if (interrupted)
        {
            unavailable.Block(key, BlockScope.Offering, "spot interruption");
        }
        try
        {
            await offers.RecordSpotUsageAsync(key, Math.Max(0, hours), interrupted, ct);
        }
        catch (NotFoundException)
        {
            logger.LogInformation("No catalog offer for {Offer}; its spot usage is not recorded", key);
        }
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
            options.CallbackBaseUrl, tokens.For(a.Id)));
        return new InstanceRequest(a.Id, job.Id, a.Region!, a.Zone, a.InstanceType!, a.Market, null, script);
    }

    private static OnPremJobRequest OnPremRequest(Job job, Allocation a)
    {
        var remaining = job.EstimatedDuration - job.SavedProgress;
        var command = string.Join(' ', job.Command.Select(StartupScript.ShellQuote));
        return new OnPremJobRequest(a.Id, job.Id, a.Node!, a.GpuModel, a.Gpus, remaining + TimeSpan.FromTicks(remaining.Ticks / 5) + TimeSpan.FromMinutes(5),
            $"#!/bin/bash\nexec {command}\n", Environment(job, a));
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
