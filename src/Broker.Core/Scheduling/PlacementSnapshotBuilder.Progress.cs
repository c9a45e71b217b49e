using Broker.Core.Jobs;
using Broker.Core.Placement;
using Broker.Core.Prediction;
using Broker.Core.Provisioning;

namespace Broker.Core.Scheduling;

/// <summary>What the two moves of running jobs read (ADR 0009): a cloud job's and an on-prem segment's progress.</summary>
public sealed partial class PlacementSnapshotBuilder
{
    private RunningCloudJob ToRunningCloud(Job j, Allocation segment, RuntimeStatistics runtimes, DateTimeOffset now)
    {
        var (every, work, sinceCheckpoint) = RunSoFar(j.CheckpointInterval, j.SavedProgress, segment.StartedAt!.Value, now);
        var done = j.SavedProgress + work;
        var planned = RuntimePredictions.Planned(runtimes, j.Team, j.Name, j.Image, j.Gpu.Count, j.EstimatedDuration, done);
        var remaining = planned > done ? planned - done : TimeSpan.Zero;
        return new RunningCloudJob(j.Id.ToString(), j.Team, j.Gpu.Count, j.Gpu.Models, j.Gpu.MinMemoryGb ?? 0, segment.PricePerHour,
            segment.Market, every, sinceCheckpoint, remaining, j.Deadline, j.Migrations > 0, j.CpuCores, j.MemoryGb,
            tenancy.RefusalFor(j.Team), j.SpotAllowed);
    }

    /// <summary>
    /// A running on-prem segment's progress as the rule that moves running jobs to free a node weighs it (ADR 0009, session 30
    /// amendment), for whole GPUs of one node only (not a gang, a shared GPU or a MIG slice: null, never moved). As for a cloud
    /// job moved back on-prem: the work since the segment started, rounded down to the checkpoint interval, is kept and the
    /// rest is rework (all of it without checkpoints); what is left runs to the segment's expected end.
    /// </summary>
    private static OnPremProgress? ProgressOf(Allocation a, LiveJob j, DateTimeOffset expectedEnd, DateTimeOffset now)
    {
        if (a is not { MemberNodes: null, StartedAt: { } started } || j.SharedOrMig || MigProfiles.IsProfile(a.GpuModel))
        {
            return null;
        }
        var (every, _, sinceCheckpoint) = RunSoFar(j.CheckpointInterval, j.SavedProgress, started, now);
        return new OnPremProgress(j.Models, j.MinGpuMemoryGb ?? 0, every, sinceCheckpoint,
            expectedEnd > now ? expectedEnd - now : TimeSpan.Zero, j.SpotAllowed, j.Deadline, j.Preemptions, j.Moved);
    }

    /// <summary>What the snapshot reads of a job holding a live allocation, in the one query that reads them all.</summary>
    private sealed record LiveJob(Guid Id, string Team, string Name, string Image, int Gpus, TimeSpan EstimatedDuration,
        TimeSpan SavedProgress, List<string> Models, int? MinGpuMemoryGb, TimeSpan? CheckpointInterval, bool SpotAllowed,
        DateTimeOffset? Deadline, int Preemptions, bool Moved, bool SharedOrMig);

    /// <summary>
    /// A running segment's work so far: the checkpoint interval (null when the job does not checkpoint), the work since the
    /// segment started, and what a move now would redo: the work since the last checkpoint, or all of it without checkpoints.
    /// </summary>
    private static (TimeSpan? Every, TimeSpan Work, TimeSpan SinceCheckpoint) RunSoFar(TimeSpan? checkpointInterval,
        TimeSpan savedProgress, DateTimeOffset started, DateTimeOffset now)
    {
        TimeSpan? every = checkpointInterval is { } interval && interval > TimeSpan.Zero ? interval : null;
        var work = now > started ? now - started : TimeSpan.Zero;
        return (every, work, every is { } e ? TimeSpan.FromTicks(work.Ticks % e.Ticks) : savedProgress + work);
    }
}
