using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Placement;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Scheduling;

/// <summary>Maps the database (and the live offer blocks) onto the engine's snapshot.</summary>
public sealed class PlacementSnapshotBuilder(BrokerDbContext db, ComputeProviders clouds, UnavailableOfferCache unavailable,
    PlacementSettings settings)
{
    public async Task<PlacementSnapshot> BuildAsync(DateTimeOffset now, CancellationToken ct)
    {
        var pending = await db.Jobs.AsNoTracking().Where(j => j.State == JobState.Pending)
            .OrderBy(j => j.Seq).Take(settings.MaxJobsPerPass).ToListAsync(ct);
        var live = await db.Allocations.AsNoTracking().Where(a => a.State != AllocationState.Closed && a.State != AllocationState.Releasing)
            .ToListAsync(ct);
        var liveJobIds = live.Select(a => a.JobId).ToList();
        var liveJobs = await db.Jobs.AsNoTracking().Where(j => liveJobIds.Contains(j.Id))
            .Select(j => new { j.Id, j.Team, j.EstimatedDuration, j.SavedProgress }).ToDictionaryAsync(j => j.Id, ct);
        var nodes = await db.OnPremNodes.AsNoTracking().Where(n => n.Present).OrderBy(n => n.Name).ToListAsync(ct);
        var offers = await db.Set<Offer>().AsNoTracking().Where(o => o.Available && clouds.Names.Contains(o.Provider))
            .OrderBy(o => o.Id).ToListAsync(ct);

        var notYetRunning = live.Where(a => a.IsOnPrem && a.State != AllocationState.Running)
            .GroupBy(a => a.Node!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(a => a.Gpus), StringComparer.Ordinal);
        var onPremNodes = nodes.Select(n => new OnPremNode(n.Name, n.GpuModel, GpuMemory(n.GpuModel), n.GpuTotal,
            Math.Max(0, n.GpuTotal - n.GpuUsed - notYetRunning.GetValueOrDefault(n.Name)),
            new OnPremNodeInfo(n.Name, n.GpuModel, n.GpuTotal, n.GpuUsed, n.State, n.Cpus, n.MemoryMb).IsSchedulable)).ToList();
        var running = live.Where(a => a.IsOnPrem && a.State == AllocationState.Running && liveJobs.ContainsKey(a.JobId))
            .Select(a => new RunningOnPremJob(a.JobId.ToString(), liveJobs[a.JobId].Team, a.Node!, a.Gpus,
                (a.StartedAt ?? now) + liveJobs[a.JobId].EstimatedDuration - liveJobs[a.JobId].SavedProgress)).ToList();
        var shares = live.Where(a => liveJobs.ContainsKey(a.JobId)).GroupBy(a => liveJobs[a.JobId].Team, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new Policies.TeamShare(g.Key, 1, g.Sum(a => a.Gpus))).ToList();

        return new PlacementSnapshot(now, [.. pending.Select(ToPending)], onPremNodes, running, [.. offers.Select(ToCloudOffer)],
            [], settings.DefaultPolicy(), [], shares);
    }

    private CloudOffer ToCloudOffer(Offer o) => new(o.Provider, o.Region, o.Zone, o.InstanceType, o.GpuModel, o.GpuCount,
        (int)(o.GpuMemoryGb ?? GpuMemory(o.GpuModel)), o.OnDemandPerHour, o.SpotPerHour, o.SpotInterruptionPerHour,
        unavailable.Find(new OfferKey(o.Provider, o.Region, o.Zone, o.InstanceType, CapacityType.OnDemand))?.Reason,
        unavailable.Find(new OfferKey(o.Provider, o.Region, o.Zone, o.InstanceType, CapacityType.Spot))?.Reason);

    private static PendingJob ToPending(Job j) => new(j.Id.ToString(), j.Team, j.Gpu.Count, j.Gpu.Models, j.Gpu.MinMemoryGb ?? 0,
        j.EstimatedDuration, j.Deadline, j.Priority, j.SpotAllowed, j.CheckpointInterval, j.MaxPricePerGpuHour, j.SubmittedAt,
        j.Attempts, j.Interruptions, j.SavedProgress);

    /// <summary>GPU memory by model, for nodes and offers whose source does not say it.</summary>
    private static int GpuMemory(string model) => model switch
    {
        GpuModels.H100_80GB or GpuModels.A100_80GB => 80,
        GpuModels.H200_141GB => 141,
        GpuModels.A100_40GB => 40,
        GpuModels.L40S => 48,
        GpuModels.A10G or GpuModels.A10 or GpuModels.L4 => 24,
        GpuModels.V100_32GB => 32,
        GpuModels.T4 or GpuModels.V100_16GB or GpuModels.P100 => 16,
        _ => 12,
    };
}
