using Broker.Core.Audit;
using Broker.Core.Errors;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Broker.Core.Jobs;

/// <summary>Submit, read, list and cancel jobs. Every call is scoped to a team when the caller is bound to one.</summary>
public sealed class JobService(BrokerDbContext db, AuditTrail audit, TimeProvider clock)
{
    public sealed record SubmitResult(Job Job, bool Created);

    /// <summary>
    /// Creates the job, or with an idempotency key returns the job first created with it. The same key with a different
    /// body is a conflict. Concurrent duplicates race on a unique index; the losers read the winner's job.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(string team, JobSubmission submission, string? idempotencyKey, CancellationToken ct)
    {
        var hash = SubmissionFingerprint.Of(submission);
        if (idempotencyKey is not null && await FindByKeyAsync(team, idempotencyKey, ct) is { } earlier)
        {
            return Replay(earlier, hash);
        }

        await Secrets.SecretReferences.EnsureUsableAsync(db, team, submission.SecretEnv ?? new Dictionary<string, string>(), ct);
        var job = NewJob(team, submission, idempotencyKey, hash);
        db.Jobs.Add(job);
        try
        {
            await db.SaveChangesAsync(ct);
            return new SubmitResult(job, Created: true);
        }
        catch (DbUpdateException e) when (idempotencyKey is not null && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            var winner = await FindByKeyAsync(team, idempotencyKey, ct)
                ?? throw new InvalidOperationException("A unique violation on the idempotency key left no job behind.", e);
            return Replay(winner, hash);
        }
    }

    public async Task<Job> GetAsync(Guid id, string? team, CancellationToken ct)
    {
        var job = await db.Jobs.AsNoTracking()
            .Include(j => j.Labels)
            .Include(j => j.Events.OrderBy(e => e.At).ThenBy(e => e.Id))
            .AsSplitQuery()
            .FirstOrDefaultAsync(j => j.Id == id, ct);
        return job is not null && (team is null || job.Team == team) ? job : throw new NotFoundException("job", id);
    }

    /// <summary>The job's allocations (run segments), oldest first.</summary>
    public Task<List<Allocation>> SegmentsAsync(Guid jobId, CancellationToken ct) =>
        db.Allocations.AsNoTracking().Where(a => a.JobId == jobId).OrderBy(a => a.CreatedAt).ToListAsync(ct);

    public async Task<JobPage> ListAsync(JobFilter filter, CancellationToken ct)
    {
        var query = db.Jobs.AsNoTracking().Include(j => j.Labels).AsQueryable();
        if (filter.Team is not null)
        {
            query = query.Where(j => j.Team == filter.Team);
        }
        if (filter.States.Count > 0)
        {
            query = query.Where(j => filter.States.Contains(j.State));
        }
        if (filter.Label is { } label)
        {
            query = query.Where(j => j.Labels.Any(l => l.Key == label.Key && l.Value == label.Value));
        }
        if (filter.SubmittedFrom is { } from)
        {
            query = query.Where(j => j.SubmittedAt >= from);
        }
        if (filter.SubmittedTo is { } to)
        {
            query = query.Where(j => j.SubmittedAt < to);
        }
        if (filter.AfterSeq is { } after)
        {
            query = query.Where(j => j.Seq < after);
        }
        var rows = await query.OrderByDescending(j => j.Seq).Take(filter.Limit + 1).ToListAsync(ct);
        var hasMore = rows.Count > filter.Limit;
        var items = hasMore ? rows[..filter.Limit] : rows;
        return new JobPage(items, hasMore ? items[^1].Seq : null);
    }

    /// <summary>
    /// Idempotent: cancelling a cancelled job returns it unchanged; a succeeded or failed job is a conflict. With
    /// <paramref name="manual"/> (ops cancelling a team's job) the cancel is audited in the same save; a repeat is not.
    /// </summary>
    public async Task<Job> CancelAsync(Guid id, string? team, CancellationToken ct, AuditActor? manual = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var job = await db.Jobs.Include(j => j.Events).FirstOrDefaultAsync(j => j.Id == id, ct);
            if (job is null || (team is not null && job.Team != team))
            {
                throw new NotFoundException("job", id);
            }
            if (job.State == JobState.Cancelled)
            {
                return job;
            }
            var now = PostgresTime.Now(clock);
            var before = job.State;
            job.MoveTo(JobState.Cancelled, JobEventKind.Cancelled, "Cancelled by request.", now);
            foreach (var allocation in await db.Allocations.Where(a => a.JobId == id && a.State != AllocationState.Closed).ToListAsync(ct))
            {
                JobLifecycle.Cancelled(allocation, now);
            }
            if (manual is not null)
            {
                audit.Record(manual, "job.cancel", $"job:{job.Id}", new { job.Id, job.Team, State = Lower(before) },
                    new { job.Id, job.Team, State = Lower(job.State) });
            }
            try
            {
                await db.SaveChangesAsync(ct);
                return job;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private static string Lower(JobState state) => state.ToString().ToLowerInvariant();

    private Task<Job?> FindByKeyAsync(string team, string key, CancellationToken ct) =>
        db.Jobs.AsNoTracking().Include(j => j.Labels).Include(j => j.Events).AsSplitQuery()
            .FirstOrDefaultAsync(j => j.Team == team && j.IdempotencyKey == key, ct);

    private static SubmitResult Replay(Job earlier, string hash) => earlier.RequestHash == hash
        ? new SubmitResult(earlier, Created: false)
        : throw new ConflictException("This Idempotency-Key was already used with a different request body.");

    private Job NewJob(string team, JobSubmission s, string? idempotencyKey, string hash)
    {
        var now = PostgresTime.Now(clock);
        var id = Guid.CreateVersion7(now);
        return new Job
        {
            Id = id,
            Team = team,
            Name = s.Name,
            Gpu = new GpuRequest { Count = s.GpuCount, Models = [.. s.GpuModels], MinMemoryGb = s.MinGpuMemoryGb,
                Share = s.GpuShare, MigProfile = s.GpuMigProfile },
            CpuCores = s.CpuCores,
            MemoryGb = s.MemoryGb,
            Image = s.Image,
            Command = [.. s.Command],
            EstimatedDuration = s.EstimatedDuration,
            Deadline = s.Deadline,
            Priority = s.Priority,
            SpotAllowed = s.SpotAllowed,
            CheckpointInterval = s.CheckpointInterval,
            MaxPricePerGpuHour = s.MaxPricePerGpuHour,
            Labels = [.. s.Labels.Select(l => new JobLabel { JobId = id, Key = l.Key, Value = l.Value })],
            Env = new(s.Env ?? new Dictionary<string, string>(), StringComparer.Ordinal),
            SecretEnv = new(s.SecretEnv ?? new Dictionary<string, string>(), StringComparer.Ordinal),
            SubmittedAt = now,
            UpdatedAt = now,
            IdempotencyKey = idempotencyKey,
            RequestHash = hash,
            Events = [new JobEvent { JobId = id, At = now, Kind = JobEventKind.Submitted, Message = "Submitted." }],
        };
    }
}
