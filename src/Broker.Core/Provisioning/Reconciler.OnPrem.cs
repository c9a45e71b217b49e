using Microsoft.Extensions.Logging;

namespace Broker.Core.Provisioning;

/// <summary>The on-prem half of a round: each segment against Slurm's job record, and Broker's leftover Slurm jobs.</summary>
public sealed partial class Reconciler
{
    private enum OnPremVerdict { StillRunning, Moved, Unknown, Vanished, TimedOut }

    /// <summary>On-prem segments Slurm is asked about this round: every submitted one, and an unsubmitted one about to time out.</summary>
    private bool NeedsSlurm(Allocation a, DateTimeOffset now) => a.State switch
    {
        AllocationState.Provisioning or AllocationState.Running => true,
        AllocationState.Requested => now - a.CreatedAt > options.LaunchTimeout,
        _ => false,
    };

    /// <summary>
    /// Moves an on-prem segment to what Slurm's job record says, with Slurm's own start and end times (clamped into the
    /// allocation's window). <see cref="OnPremVerdict.StillRunning"/> leaves the lease and launch timeout to judge it.
    /// </summary>
    private async Task<OnPremVerdict> ReconcileOnPremAsync(Allocation a, DateTimeOffset now, CancellationToken ct)
    {
        OnPremJobStatus? status;
        try
        {
            status = await cluster.GetJobAsync(a.Id, ct);
        }
        catch (ClusterUnavailableException e)
        {
            logger.LogWarning("Cannot check on-prem allocation {Allocation}: {Reason}", a.Id, e.Message);
            return OnPremVerdict.Unknown;
        }
        if (a.State == AllocationState.Requested)
        {
            if (status is null)
            {
                // Never submitted (or its Slurm job is gone): the launch timeout applies below.
                return OnPremVerdict.StillRunning;
            }
            // Submitted, but the answer never reached the row (a crash, a lost response): carry on from Slurm's job. Still
            // pending (and so past the launch timeout, or it would not be asked about) it times out now; otherwise its new
            // state is judged next round.
            await worker.ApplyAsync(a.Id, (j, x, t) => JobLifecycle.Provisioning(j, x, status.ClusterJobId, t), ct);
            if (status.State != OnPremJobState.Pending)
            {
                return OnPremVerdict.Moved;
            }
        }
        if (status?.State == OnPremJobState.Pending && now - a.CreatedAt > options.LaunchTimeout)
        {
            await worker.FailLaunchAsync(a.Id, AllocationEnd.LaunchTimeout, "Slurm did not start the job within the launch timeout", jobCannotRun: false, ct);
            await TryReleaseAsync(a.Id, ct);
            return OnPremVerdict.TimedOut;
        }
        Action<Jobs.Job, Allocation, DateTimeOffset>? move = status?.State switch
        {
            null when a.State == AllocationState.Running || now - a.CreatedAt > options.VanishGrace =>
                (j, x, t) => JobLifecycle.Interrupted(j, x, AllocationEnd.Vanished, "The Slurm job vanished", t),
            null => null,
            OnPremJobState.Pending => null,
            OnPremJobState.Running => (j, x, t) =>
            {
                JobLifecycle.Started(j, x, EventTimes.Clamp(status.StartedAt, x.CreatedAt, t));
                JobLifecycle.CorrectStart(x, status.StartedAt);
            },
            OnPremJobState.Completed or OnPremJobState.Failed or OnPremJobState.TimedOut => (j, x, t) =>
            {
                JobLifecycle.CorrectStart(x, status.StartedAt);
                JobLifecycle.Finished(j, x, InstanceEventRecorder.SlurmExitCode(status)!.Value, EndOf(x, status, t), status.StartedAt);
            },
            _ => (j, x, t) => JobLifecycle.Interrupted(j, x, AllocationEnd.Interrupted, $"Slurm job {status.State}", EndOf(x, status, t)),
        };
        if (move is null)
        {
            return status is null ? OnPremVerdict.Unknown : OnPremVerdict.StillRunning;
        }
        var releasing = await worker.ApplyAsync(a.Id, move, ct);
        if (releasing)
        {
            await TryReleaseAsync(a.Id, ct);
        }
        return status is null ? OnPremVerdict.Vanished : releasing ? OnPremVerdict.Moved : OnPremVerdict.StillRunning;
    }

    /// <summary>Slurm's end of the job, no earlier than the segment's start and no later than now.</summary>
    private static DateTimeOffset EndOf(Allocation a, OnPremJobStatus status, DateTimeOffset now)
    {
        var start = new[] { a.CreatedAt, a.StartedAt ?? a.CreatedAt, status.StartedAt ?? a.CreatedAt }.Max();
        return EventTimes.Clamp(status.EndedAt, start, now);
    }

    /// <summary>Broker's Slurm jobs, or null when Slurm cannot be asked (then none is collected this round).</summary>
    private async Task<IReadOnlyList<OnPremClusterJob>?> ListBrokerSlurmJobsAsync(CancellationToken ct)
    {
        try
        {
            return await cluster.ListBrokerJobsAsync(ct);
        }
        catch (ClusterUnavailableException e)
        {
            logger.LogWarning("Listing Broker's Slurm jobs failed; none is collected this round: {Reason}", e.Message);
            return null;
        }
    }

    private async Task<int> CancelLeftoversAsync(IReadOnlyList<SlurmLeftovers.Leftover> leftovers, DateTimeOffset now, CancellationToken ct)
    {
        var cancelled = 0;
        foreach (var (job, closedAt) in leftovers.Where(l => now - l.ClosedAt > options.OrphanGrace))
        {
            logger.LogWarning("Cancelling leftover Slurm job {SlurmJob} ({Name}, {State}): its allocation closed at {ClosedAt}",
                job.ClusterJobId, job.Name, job.State, closedAt);
            try
            {
                await cluster.CancelAsync(job.AllocationId!.Value, ct);
                cancelled++;
            }
            catch (ClusterUnavailableException e)
            {
                logger.LogWarning("Cannot cancel leftover Slurm job {SlurmJob} yet: {Reason}", job.ClusterJobId, e.Message);
            }
        }
        return cancelled;
    }
}
