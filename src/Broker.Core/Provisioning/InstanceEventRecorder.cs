using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Broker.Core.Provisioning;

/// <summary>
/// Applies one instance event under the callback rules: the token's purpose must fit the allocation, a seq is used once
/// (an exact duplicate is answered as such, anything else at or below the highest accepted seq is refused), a dead
/// allocation takes no events, <c>finished</c> needs a segment that started, and on-prem Slurm must already record the
/// job's end. The rules are checked and the event row and the state change saved in one transaction under the
/// allocation's row lock, so two replicas handling events of one allocation at once take them one after the other.
/// </summary>
internal sealed class InstanceEventRecorder(BrokerDbContext db, IOnPremCluster cluster, TimeProvider clock)
{
    private const int MaxAttempts = 8;

    /// <returns>The outcome, and the allocation as saved when it is now releasing (its instance or Slurm job must go).</returns>
    /// <remarks>
    /// One transaction per event: the rules are checked under the row lock, and the event is applied in the same
    /// transaction. Only an on-prem <c>finished</c> that passes them needs Slurm's record first: that transaction is rolled
    /// back (it wrote nothing), Slurm is asked outside any transaction, and the event is decided again under the lock.
    /// </remarks>
    public async Task<(InstanceEventOutcome Outcome, Allocation? Released)> RecordAsync(InstanceEvent e, CallbackPurpose purpose, CancellationToken ct)
    {
        OnPremJobStatus? slurm = null;
        var slurmAsked = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await RecordLockedAsync(e, purpose, slurm, slurmAsked, ct) is { } done)
                {
                    return done;
                }
            }
            catch (DbUpdateException ex) when (attempt < MaxAttempts
                && (ex is DbUpdateConcurrencyException || ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }))
            {
                // The job row moved under us (a cancel, the reconciler): read again and decide again.
                continue;
            }
            var (refusal, status) = await AskSlurmAsync(e.AllocationId, ct);
            if (refusal is not null)
            {
                return (await KeepReasonAsync(e, refusal, ct), null);
            }
            (slurm, slurmAsked) = (status, true);
        }
    }

    /// <summary>The outcome, or null when the event is an on-prem <c>finished</c> that needs Slurm's record and Slurm was not asked yet.</summary>
    private async Task<(InstanceEventOutcome, Allocation?)?> RecordLockedAsync(InstanceEvent e, CallbackPurpose purpose, OnPremJobStatus? slurm,
        bool slurmAsked, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var allocation = await db.Allocations
            .FromSql($"SELECT *, xmin FROM allocations WHERE id = {e.AllocationId} FOR UPDATE")
            .FirstOrDefaultAsync(ct);
        if (allocation is null)
        {
            return (new(InstanceEventResult.NotFound, "unknown-allocation", "No such allocation."), null);
        }
        if (WrongPurpose(allocation, purpose) is { } wrong)
        {
            return (wrong, null);
        }
        // The job (tracked) and the allocation's events in one statement, after the lock: every writer of its events holds
        // that lock, so one read sees them all.
        var (jobId, allocationId) = (allocation.JobId, allocation.Id);
        var read = await db.Jobs.Where(j => j.Id == jobId)
            .Select(j => new
            {
                Job = j,
                Events = db.Set<AllocationEvent>().Where(x => x.AllocationId == allocationId)
                    .Select(x => new RecordedEvent(x.Seq, x.BodyHash, x.Kind)).ToList(),
            })
            .FirstAsync(ct);
        if (Decide(allocation, e, read.Events) is { } refusal)
        {
            return (refusal, null);
        }
        if (allocation.IsOnPrem && e.Kind == InstanceEventKind.Finished && !slurmAsked)
        {
            return null;
        }
        var job = read.Job;
        var now = PostgresTime.Now(clock);
        var occurred = OccurredAt(allocation, e, slurm, now);
        db.Set<AllocationEvent>().Add(new AllocationEvent
        {
            AllocationId = e.AllocationId, Seq = e.Seq, Kind = e.Kind, ExitCode = e.ExitCode, BodyHash = e.BodyHash, ReceivedAt = now,
            OccurredAt = occurred,
        });
        if (e.Kind == InstanceEventKind.Finished)
        {
            allocation.ReportedReason ??= e.Reason;
        }
        Apply(job, allocation, e, slurm, occurred);
        // The transaction is rolled back whole on any failure and the event decided again, so no savepoint is needed.
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = true;
        }
        await transaction.CommitAsync(ct);
        return (InstanceEventOutcome.Accepted, allocation.State == AllocationState.Releasing ? allocation : null);
    }

    /// <summary>
    /// When the event happened: on-prem, a finished job's end is Slurm's record of it; otherwise the sender's <c>at</c>; both
    /// clamped into the allocation's window (<see cref="EventTimes.Clamp"/>). Without either, the moment it is recorded.
    /// </summary>
    private static DateTimeOffset OccurredAt(Allocation allocation, InstanceEvent e, OnPremJobStatus? slurm, DateTimeOffset now)
    {
        var claimed = slurm?.EndedAt ?? e.At;
        var notBefore = e.Kind == InstanceEventKind.Started ? allocation.CreatedAt : allocation.StartedAt ?? allocation.CreatedAt;
        return EventTimes.Clamp(claimed, notBefore, now);
    }

    private static void Apply(Job job, Allocation allocation, InstanceEvent e, OnPremJobStatus? slurm, DateTimeOffset at)
    {
        switch (e.Kind)
        {
            case InstanceEventKind.Started:
                JobLifecycle.Started(job, allocation, at);
                break;
            case InstanceEventKind.Finished:
                // On-prem the exit code and the times are Slurm's record of the job, not what a script says about itself.
                JobLifecycle.CorrectStart(allocation, slurm?.StartedAt);
                JobLifecycle.Finished(job, allocation, SlurmExitCode(slurm) ?? e.ExitCode ?? 1, at);
                break;
            case InstanceEventKind.InterruptionNotice when allocation.IsCloudGang:
                // The member that sent it is the one the provider reclaims; Broker terminates the others itself.
                CloudGang.Interrupt(job, allocation, e.Member is { } member ? [member] : [], AllocationEnd.Interrupted,
                    $"was reclaimed by {allocation.Provider} (spot interruption)", at);
                break;
            case InstanceEventKind.InterruptionNotice:
                JobLifecycle.Interrupted(job, allocation, AllocationEnd.Interrupted,
                    allocation.IsOnPrem ? "Interruption notice from the Slurm job" : "Spot interruption", at);
                break;
        }
    }

    /// <summary>Null when the token was issued for this kind of allocation; otherwise the refusal.</summary>
    private static InstanceEventOutcome? WrongPurpose(Allocation allocation, CallbackPurpose purpose)
    {
        var expected = allocation.IsOnPrem ? CallbackPurpose.OnPremScript : CallbackPurpose.CloudInstance;
        if (purpose == expected)
        {
            return null;
        }
        return new(InstanceEventResult.WrongPurpose, "wrong-purpose", allocation.IsOnPrem
            ? "This is an on-prem allocation: only its Slurm job's own script may report on it, and this token was issued to a cloud instance."
            : "This is a cloud allocation, and this token was issued to an on-prem job script.");
    }

    private sealed record RecordedEvent(int Seq, string BodyHash, InstanceEventKind Kind);

    /// <summary>Null when the event may be applied, given the allocation's recorded events; otherwise why not (and nothing changes).</summary>
    private static InstanceEventOutcome? Decide(Allocation allocation, InstanceEvent e, IReadOnlyList<RecordedEvent> events)
    {
        int? highest = events.Count == 0 ? null : events.Max(x => x.Seq);
        var same = events.FirstOrDefault(x => x.Seq == e.Seq);
        if (same is not null)
        {
            return same.BodyHash == e.BodyHash
                ? InstanceEventOutcome.Duplicate
                : InstanceEventOutcome.Conflict("seq-reused",
                    $"seq {e.Seq} was already used by a different event ({InstanceEventKinds.ToWire(same.Kind)}); nothing changed.");
        }
        if (highest is { } h && e.Seq <= h)
        {
            return InstanceEventOutcome.Conflict("out-of-order",
                $"seq {e.Seq} is not greater than {h}, the highest accepted for this allocation: a replay or out of order; nothing changed.");
        }
        if (allocation.State is AllocationState.Releasing or AllocationState.Closed)
        {
            return InstanceEventOutcome.Conflict("not-live",
                $"The allocation is no longer live (it ended: {allocation.End?.ToString() ?? allocation.State.ToString()}); nothing changed.");
        }
        if (e.Member is { } member && member >= (allocation.IsCloudGang ? allocation.InstanceCount!.Value : 1))
        {
            return InstanceEventOutcome.Conflict("not-a-member",
                $"member {member} is not a member of this allocation ({(allocation.IsCloudGang ? $"a gang of {allocation.InstanceCount}" : "one instance")}); nothing changed.");
        }
        if (e.Kind == InstanceEventKind.Finished && allocation.State != AllocationState.Running)
        {
            return InstanceEventOutcome.Conflict("not-started",
                $"finished is accepted only from a segment that started; this one is {allocation.State}. Post started first.");
        }
        return null;
    }

    /// <summary>
    /// A finished event posted from inside the on-prem job sees Slurm still running it and must wait for the reconciler; the
    /// reason it gives is kept on the allocation (first one wins, live allocations only) so the failure shows it when
    /// Slurm's record of the end arrives. Nothing else changes.
    /// </summary>
    private async Task<InstanceEventOutcome> KeepReasonAsync(InstanceEvent e, InstanceEventOutcome refusal, CancellationToken ct)
    {
        if (e.Reason is not { } reason || refusal.Code != "slurm-still-running")
        {
            return refusal;
        }
        var kept = await db.Allocations
            .Where(a => a.Id == e.AllocationId && a.ReportedReason == null && a.State == AllocationState.Running)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.ReportedReason, reason), ct);
        return kept == 0 ? refusal : refusal with { Reason = refusal.Reason + " Its reason is kept and shown when Slurm records the end." };
    }

    /// <summary>Slurm is the truth on-prem: finished counts only once Slurm records the job's end; its exit code and times win.</summary>
    private async Task<(InstanceEventOutcome? Refusal, OnPremJobStatus? Status)> AskSlurmAsync(Guid allocationId, CancellationToken ct)
    {
        OnPremJobStatus? status;
        try
        {
            status = await cluster.GetJobAsync(allocationId, ct);
        }
        catch (ClusterUnavailableException)
        {
            return (new(InstanceEventResult.Unavailable, "slurm-unavailable", "Slurm cannot be asked about this job right now; retry later."), null);
        }
        return status?.State switch
        {
            null => (InstanceEventOutcome.Conflict("slurm-no-job", "Slurm has no job for this allocation; Broker follows Slurm's record."), null),
            OnPremJobState.Pending or OnPremJobState.Running =>
                (InstanceEventOutcome.Conflict("slurm-still-running",
                    $"Slurm says the job is still {Lower(status.State)}; finished is accepted once Slurm records its end."), null),
            OnPremJobState.Completed or OnPremJobState.Failed or OnPremJobState.TimedOut => (null, status),
            _ => (InstanceEventOutcome.Conflict("slurm-ended-otherwise",
                $"Slurm says the job ended as {Lower(status.State)}; the reconciler applies that."), null),
        };
    }

    /// <summary>Slurm's exit code of an ended job: 0 when it completed, at least 1 when it failed or timed out.</summary>
    internal static int? SlurmExitCode(OnPremJobStatus? status) => status?.State switch
    {
        OnPremJobState.Completed => 0,
        OnPremJobState.Failed or OnPremJobState.TimedOut => status.ExitCode is > 0 ? status.ExitCode.Value : 1,
        _ => null,
    };

    private static string Lower(OnPremJobState state) => state.ToString().ToLowerInvariant();
}
