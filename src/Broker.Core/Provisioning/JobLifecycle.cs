using Broker.Core.Jobs;

namespace Broker.Core.Provisioning;

/// <summary>
/// The paired moves of a job and its allocation. Pure state changes on tracked entities: callers load both, apply one move
/// and save once, so a move is all-or-nothing, and the xmin tokens on both rows make a concurrent duplicate fail instead of
/// applying twice. Every move is a no-op when it was already applied, and every allocation move goes through
/// <see cref="AllocationStateMachine"/>.
/// </summary>
public static class JobLifecycle
{
    public static void Provisioning(Job job, Allocation allocation, string externalId, DateTimeOffset at)
    {
        if (allocation.State == AllocationState.Requested)
        {
            AllocationStateMachine.Move(allocation, AllocationState.Provisioning);
        }
        allocation.ExternalId ??= externalId;
        if (job.State == JobState.Placed)
        {
            job.MoveTo(JobState.Starting, JobEventKind.Starting, $"Launching on {Where(allocation)} ({externalId}).", at);
        }
    }

    public static void Started(Job job, Allocation allocation, DateTimeOffset at)
    {
        if (allocation.State is not (AllocationState.Requested or AllocationState.Provisioning))
        {
            return;
        }
        if (job.State is JobState.Placed or JobState.Starting && at < job.UpdatedAt)
        {
            // Slurm counts whole seconds and may start a job before its submit call has returned: the segment and the
            // timeline never put the start before the launch Broker recorded.
            at = job.UpdatedAt;
        }
        AllocationStateMachine.Move(allocation, AllocationState.Running);
        allocation.StartedAt = at;
        if (job.State is JobState.Placed or JobState.Starting)
        {
            job.Attempts++;
            job.MoveTo(JobState.Running, JobEventKind.Started, $"Running on {Where(allocation)}.", at);
        }
    }

    /// <summary>
    /// Only a segment that started can finish: a cloud segment that never reported <c>started</c> is left alone (the
    /// launch timeout requeues it). The one exception is on-prem, where Slurm is the truth: the reconciler calls this when
    /// Slurm records the job's end, and a job Slurm ran did start even if no poll saw it running. Instance callbacks never
    /// get here for a segment that is not running (<see cref="InstanceEventRecorder"/> refuses them first).
    /// </summary>
    /// <param name="startedAt">On-prem, Slurm's start time of the job, for a segment no one saw running.</param>
    public static void Finished(Job job, Allocation allocation, int exitCode, DateTimeOffset at, DateTimeOffset? startedAt = null)
    {
        if (allocation.State != AllocationState.Running)
        {
            if (!allocation.IsOnPrem || allocation.State is not (AllocationState.Requested or AllocationState.Provisioning))
            {
                return;
            }
            Started(job, allocation, EventTimes.Clamp(startedAt, allocation.CreatedAt, at));
        }
        if (allocation.StartedAt is { } began && at < began)
        {
            at = began;
        }
        // A failure the job's script explained (an image not in the site store) says why, not only its exit code.
        var why = exitCode != 0 && allocation.ReportedReason is { } reported ? $": {reported}" : "";
        Release(allocation, exitCode == 0 ? AllocationEnd.Completed : AllocationEnd.Failed, $"exit code {exitCode}{why}", at);
        if (job.State == JobState.Running)
        {
            // The segment keeps the source's end; the timeline never puts the end before the start it already shows (a
            // script's start in milliseconds can follow Slurm's whole-second end that CorrectStart made the segment's).
            job.MoveTo(exitCode == 0 ? JobState.Succeeded : JobState.Failed, exitCode == 0 ? JobEventKind.Finished : JobEventKind.Failed,
                $"Finished with exit code {exitCode} on {Where(allocation)}{why}.", at < job.UpdatedAt ? job.UpdatedAt : at);
        }
    }

    /// <summary>
    /// On-prem, Slurm's start time wins over the one Broker recorded (a poll's or the script's): a running segment whose
    /// start is not Slurm's to the second takes Slurm's, kept no earlier than the allocation's creation (Slurm counts whole
    /// seconds). The job's timeline keeps what it said then.
    /// </summary>
    public static void CorrectStart(Allocation allocation, DateTimeOffset? sourceStart)
    {
        if (allocation is not { IsOnPrem: true, State: AllocationState.Running, StartedAt: { } recorded } || sourceStart is not { } source)
        {
            return;
        }
        var corrected = source < allocation.CreatedAt ? allocation.CreatedAt : source;
        if (WholeSeconds(corrected) != WholeSeconds(recorded))
        {
            allocation.StartedAt = corrected;
        }
    }

    private static long WholeSeconds(DateTimeOffset t) => t.ToUnixTimeSeconds();

    /// <summary>A spot interruption or a vanished machine: the segment ends, the job goes back to the queue with its checkpoints.</summary>
    public static void Interrupted(Job job, Allocation allocation, AllocationEnd end, string reason, DateTimeOffset at)
    {
        if (!allocation.IsLive || allocation.State == AllocationState.Releasing)
        {
            return;
        }
        var wasRunning = allocation.State == AllocationState.Running;
        Release(allocation, end, reason, at);
        if (job.State is JobState.Running or JobState.Starting or JobState.Placed)
        {
            if (wasRunning && allocation.StartedAt is { } started)
            {
                KeepCheckpointedWork(job, started, at);
            }
            if (end == AllocationEnd.Interrupted)
            {
                job.Interruptions++;
            }
            var kind = wasRunning ? JobEventKind.Preempted : JobEventKind.Requeued;
            job.MoveTo(JobState.Pending, kind, $"{reason} on {Where(allocation)}; requeued" +
                (job.SavedProgress > TimeSpan.Zero ? $" with {job.SavedProgress.TotalMinutes:0} min checkpointed." : "."), at);
        }
    }

    /// <summary>
    /// The broker moves a running cloud job back on-prem (ADR 0009, amendment): the segment ends as
    /// <see cref="AllocationEnd.Migrated"/> and the job goes back to pending with its checkpointed work, as after an
    /// interruption but not counted as one; the caller places it on <paramref name="target"/> in the same transaction.
    /// False (nothing changed) unless both the segment and the job are still running.
    /// </summary>
    public static bool Migrated(Job job, Allocation allocation, string target, DateTimeOffset at)
    {
        if (allocation is not { IsOnPrem: false, State: AllocationState.Running, StartedAt: { } started } || job.State != JobState.Running)
        {
            return false;
        }
        EndForMove(job, allocation, started, $"moved back on-prem to {target}", $"Moved from {Where(allocation)} to {target}", at);
        return true;
    }

    /// <summary>
    /// The broker moves a running on-prem job to another node to free its node for a larger job (ADR 0009, session 30
    /// amendment): as <see cref="Migrated"/>, the segment ends as <see cref="AllocationEnd.Migrated"/> (its Slurm job is
    /// cancelled by the release) and the job goes back to pending with its checkpointed work, counted as a move, not an
    /// interruption; the caller places it on <paramref name="target"/> in the same transaction. False (nothing changed)
    /// unless the segment is a running single-node on-prem one and the job is still running.
    /// </summary>
    public static bool MovedOffNode(Job job, Allocation allocation, string target, DateTimeOffset at)
    {
        if (allocation is not { IsOnPrem: true, MemberNodes: null, State: AllocationState.Running, StartedAt: { } started }
            || job.State != JobState.Running)
        {
            return false;
        }
        EndForMove(job, allocation, started, $"moved to {target} to free node {allocation.Node}",
            $"Moved from {Where(allocation)} to {target} to free its node for a larger job,", at);
        return true;
    }

    /// <summary>What both moves do: the segment ends migrated, the job keeps its checkpointed work, counts one more move (not an
    /// interruption) and goes back to pending, its event saying <paramref name="moved"/> and the minutes it keeps.</summary>
    private static void EndForMove(Job job, Allocation allocation, DateTimeOffset started, string releaseReason, string moved,
        DateTimeOffset at)
    {
        Release(allocation, AllocationEnd.Migrated, releaseReason, at);
        KeepCheckpointedWork(job, started, at);
        job.Migrations++;
        job.MoveTo(JobState.Pending, JobEventKind.Migrated, $"{moved} with {job.SavedProgress.TotalMinutes:0} min checkpointed.", at);
    }

    /// <summary>A run from <paramref name="started"/> to <paramref name="at"/> keeps its work down to its last checkpoint (none
    /// without checkpoints), never more than the job's whole estimate.</summary>
    private static void KeepCheckpointedWork(Job job, DateTimeOffset started, DateTimeOffset at)
    {
        if (job.CheckpointInterval is { } every && every > TimeSpan.Zero && at > started)
        {
            job.SavedProgress = Min(job.EstimatedDuration, job.SavedProgress + TimeSpan.FromTicks((at - started).Ticks / every.Ticks * every.Ticks));
        }
    }

    /// <summary>
    /// A segment that never came up. With <paramref name="giveUpAfter"/> null the job is requeued like any interruption;
    /// otherwise (the job cannot run as submitted, or it failed to launch that many times) it fails with the reason.
    /// </summary>
    public static void LaunchFailed(Job job, Allocation allocation, AllocationEnd end, string reason, int? giveUpAfter, DateTimeOffset at)
    {
        if (giveUpAfter is not { } failures)
        {
            Interrupted(job, allocation, end, reason, at);
            return;
        }
        if (!allocation.IsLive || allocation.State == AllocationState.Releasing)
        {
            return;
        }
        Release(allocation, end, reason, at);
        if (job.State is JobState.Pending or JobState.Placed or JobState.Starting or JobState.Running)
        {
            job.MoveTo(JobState.Failed, JobEventKind.Failed, failures == 1
                ? $"{reason} on {Where(allocation)}; not retried."
                : $"Failed to launch {failures} times; the last: {reason} on {Where(allocation)}. Not retried further.", at);
        }
    }

    /// <summary>
    /// The segment outlived its lease (its job's estimate times its lease factor, <see cref="LifecycleOptions.LeaseOf"/>): it is torn down
    /// and the job fails, so a hung job cannot hold GPUs or an instance for ever.
    /// </summary>
    public static void LeaseExpired(Job job, Allocation allocation, TimeSpan lease, DateTimeOffset at)
    {
        if (allocation.State != AllocationState.Running)
        {
            return;
        }
        var reason = $"lease expired: still running {lease.TotalMinutes:0.#} min after it started (estimate x lease factor)";
        Release(allocation, AllocationEnd.Failed, reason, at);
        if (job.State == JobState.Running)
        {
            job.MoveTo(JobState.Failed, JobEventKind.Failed, $"The {reason} on {Where(allocation)}; terminated.", at);
        }
    }

    /// <summary>The job was cancelled: whatever its allocation created must go.</summary>
    public static void Cancelled(Allocation allocation, DateTimeOffset at)
    {
        if (allocation.IsLive && allocation.State != AllocationState.Releasing)
        {
            Release(allocation, AllocationEnd.Cancelled, "job cancelled", at);
        }
    }

    public static void Closed(Allocation allocation, DateTimeOffset at)
    {
        if (allocation.State == AllocationState.Releasing)
        {
            AllocationStateMachine.Move(allocation, AllocationState.Closed);
            // A cloud segment lasts until its instance is gone; an on-prem one ended when Slurm (or the release) said so.
            if (!allocation.IsOnPrem || allocation.EndedAt is null)
            {
                allocation.EndedAt = at;
            }
        }
    }

    public static string Where(Allocation a) => a.IsOnPrem
        ? a.Nodes.Count > 1 ? $"on-prem gang of {a.Nodes.Count} nodes {string.Join(", ", a.Nodes)} ({a.GpusOn(a.Nodes[0])} GPUs each)" : $"on-prem node {a.Node}"
        : a.IsCloudGang ? CloudGang.Describe(a)
        : $"{a.Provider} {a.Region}{(a.Zone is null ? "" : "/" + a.Zone)} {a.InstanceType} ({a.Market.ToString().ToLowerInvariant()})";

    private static void Release(Allocation allocation, AllocationEnd end, string reason, DateTimeOffset at)
    {
        AllocationStateMachine.Move(allocation, AllocationState.Releasing);
        allocation.End = end;
        allocation.EndReason = reason;
        allocation.EndedAt = at;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
