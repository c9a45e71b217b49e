using Broker.Core.Capacity;
using Broker.Core.Placement;

namespace Broker.Core.Simulation.Replay;

/// <summary>What the engine sees of the replay's running jobs at a pass: on-prem and cloud runs, expected ends, spend and GPUs by team.</summary>
internal sealed partial class ReplayRun
{
    /// <summary>
    /// What the engine sees running on-prem: whole-GPU jobs as they are, and each shared GPU once, as a one-GPU job ending
    /// when its last tenant is expected to end (it frees as a whole GPU only then).
    /// </summary>
    private RunningOnPremJob[] RunningOnPrem(long t)
    {
        var onPrem = running.Values.Where(s => !s.IsCloud).ToArray();
        // A gang is on the timeline of each member with its share of GPUs, as the live snapshot puts it.
        var whole = onPrem.Where(s => s.SharedGpu < 0)
            .SelectMany(s => (s.MemberNodes ?? [s.Node]).Select(node => new RunningOnPremJob(s.Job.Trace.JobId, s.Job.Trace.Team, node,
                s.Job.Trace.Gpus / (s.MemberNodes?.Count ?? 1), ReplayClock.At(ExpectedEnd(s, t)),
                s.MemberNodes is null ? Progress(s, t) : null)));
        var shared = onPrem.Where(s => s.SharedGpu >= 0).GroupBy(s => (s.Node, s.SharedGpu))
            .Select(g => g.OrderByDescending(s => ExpectedEnd(s, t)).ThenBy(s => s.Id).First())
            .Select(s => new RunningOnPremJob(s.Job.Trace.JobId, s.Job.Trace.Team, s.Node, 1, ReplayClock.At(ExpectedEnd(s, t))));
        return [.. whole, .. shared];
    }

    /// <summary>
    /// The cloud runs as the engine sees them for a move back on-prem: progress rounded down to the checkpoint interval is
    /// kept, the rest is rework; what is left is the engine's planned runtime minus the work done. Shared jobs are not offered
    /// (the engine moves whole GPUs only).
    /// </summary>
    private RunningCloudJob[] RunningInCloud(long t) =>
        [.. running.Values.Where(s => s.IsCloud && s.Job.Trace.GpuShare is null).Select(s =>
        {
            var job = s.Job;
            var work = Math.Max(0, t - s.StartS - s.StartupS);
            var done = job.SavedS + work;
            var planned = PlannedAt(job, done);
            return new RunningCloudJob(job.Trace.JobId, job.Trace.Team, job.Trace.Gpus, job.Trace.GpuModels, job.Trace.MinGpuMemoryGb,
                s.PricePerHour, s.Market == Markets.Spot ? CapacityType.Spot : CapacityType.OnDemand,
                job.Trace.CheckpointS is { } c ? TimeSpan.FromSeconds(c) : null, TimeSpan.FromSeconds(work - Checkpointed(job, work)),
                TimeSpan.FromSeconds(Math.Max(0, planned - done)), job.Trace.DeadlineS is { } d ? ReplayClock.At(d) : null,
                job.MovedOnce, OnPremRefusal: job.Trace.OnPremRefusal, SpotAllowed: job.Trace.SpotOk);
        })];

    /// <summary>A single-node on-prem run's progress as the move that frees a node weighs it: work since the last checkpoint
    /// (all of this run's work without checkpoints) is the rework; what is left is the planned runtime minus the work done.</summary>
    private OnPremProgress Progress(ActiveSegment s, long t)
    {
        var job = s.Job;
        var work = Math.Max(0, t - s.StartS);
        var done = job.SavedS + work;
        return new OnPremProgress(job.Trace.GpuModels, job.Trace.MinGpuMemoryGb,
            job.Trace.CheckpointS is { } c ? TimeSpan.FromSeconds(c) : null, TimeSpan.FromSeconds(work - Checkpointed(job, work)),
            TimeSpan.FromSeconds(Math.Max(0, PlannedAt(job, done) - done)), job.Trace.SpotOk,
            job.Trace.DeadlineS is { } d ? ReplayClock.At(d) : null, job.Interruptions + job.Migrations + job.NodeFreeingMoves, job.MovedOnce);
    }

    /// <summary>The part of a run's work the job keeps: down to its last checkpoint (none without checkpoints).</summary>
    private static long Checkpointed(SimJob job, long work) =>
        job.Trace.CheckpointS is { } c && c > 0 ? Math.Min(job.RemainingS, work / c * c) : 0;

    /// <summary>
    /// When the engine expects a running on-prem segment to end: from what it planned, given the work done by
    /// <paramref name="t"/> (never before now, never past the user's limit); the real end only in oracle replays.
    /// </summary>
    private long ExpectedEnd(ActiveSegment s, long t)
    {
        var job = s.Job;
        var done = job.SavedS + Math.Max(0, t - s.StartS);
        var planned = PlannedAt(job, done);
        return s.StartS + Math.Max(planned - job.SavedS, t - s.StartS);
    }

    private decimal CloudSpendOf(string team, long t) =>
        closedCloudCostByTeam.GetValueOrDefault(team)
        + running.Values.Where(s => s.IsCloud && s.Job.Trace.Team == team)
            .Sum(s => s.PricePerHour * Math.Max(0, t - s.StartS) / 3600m);

    private Dictionary<string, int> GpusInUseByTeam() => GpusByTeam(cloudOnly: false);

    private Dictionary<string, int> CloudGpusByTeam() => GpusByTeam(cloudOnly: true);

    private Dictionary<string, int> GpusByTeam(bool cloudOnly)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in running.Values.Where(s => !cloudOnly || s.IsCloud))
        {
            // A cloud cap counts the instance's GPUs, as the live pass counts an allocation's.
            var gpus = cloudOnly ? cloud.Offer(s.OfferIndex).Gpus * s.Members : s.Job.Trace.Gpus;
            result[s.Job.Trace.Team] = result.GetValueOrDefault(s.Job.Trace.Team) + gpus;
        }
        return result;
    }

    /// <summary>The runtime the engine plans with after <paramref name="done"/> of work: the plan made at the job's first
    /// start until the work passes it, then re-planned given the work done.</summary>
    private long PlannedAt(SimJob job, long done) => done < job.PlannedS ? job.PlannedS : runtimes.PlannedS(job, done);
}
