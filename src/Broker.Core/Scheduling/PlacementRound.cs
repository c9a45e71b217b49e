using System.Text.Json;
using Broker.Core.Capacity;
using Broker.Core.Costs.Budgets;
using Broker.Core.Costs;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Placement;
using Broker.Core.Provisioning;
using Broker.Core.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Broker.Core.Scheduling;

/// <summary>
/// One placement pass over the live queue: snapshot, engine, then each decision becomes an allocation row (the intent) with
/// its job moved to Placed, in one transaction per chunk of decisions (one by one for a chunk that conflicts). Passes of several replicas are serialized by a PostgreSQL advisory
/// lock, so on-prem GPUs are counted once; the unique live-allocation index and the jobs' xmin tokens make a duplicate
/// placement fail even without it. After the decisions, the earliest wait limit ahead gets a timed pass (<see cref="PlacementWakeUps"/>).
/// </summary>
public sealed partial class PlacementRound(BrokerDbContext db, PlacementSnapshotBuilder snapshots, PlacementSettings settings,
    BudgetAccounts budgets, LifecycleOptions lifecycle, PlacementWakeUps wakeUps, TimeProvider clock, BrokerMetrics metrics,
    ILogger<PlacementRound> logger)
{
    /// <summary>A timed pass tries the lock this often, 200 ms apart (30 s), while another replica's pass holds it.</summary>
    private const int LockAttempts = 150;

    private const long LockKey = 0x42_726F6B6572; // "Broker"

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<PlacementPlan> PreviewAsync(CancellationToken ct) => Place(await snapshots.BuildAsync(clock, ct));

    private PlacementPlan Place(PlacementSnapshot snapshot) => PlacementStrategies.Get(settings.Strategy).Place(snapshot);

    /// <summary>
    /// Runs a pass and returns the ids of the allocations it leaves to carry out (<see cref="ApplyAsync"/>); empty when another
    /// replica holds the lock (a timed pass, <paramref name="waitForLock"/>, waits for that pass to end instead: its moment matters).
    /// </summary>
    public async Task<IReadOnlyList<Guid>> RunAsync(CancellationToken ct, bool waitForLock = false)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (!await LockAsync(waitForLock, ct))
            {
                return [];
            }
            using var activity = BrokerTelemetry.Source.StartActivity("placement.pass");
            var started = clock.GetTimestamp();
            var snapshot = await snapshots.BuildAsync(clock, ct);
            var plan = Place(snapshot);
            // The terms a segment runs under are those of the policies this pass read: captured on its row, never re-read.
            var terms = new Policies.PolicyBook(snapshot.Policies, snapshot.DefaultPolicy);
            foreach (var decision in plan.Decisions)
            {
                metrics.Decided(decision);
            }
            var created = await ApplyAsync(plan, terms, ct);
            metrics.PassCompleted(clock.GetElapsedTime(started), plan.Strategy);
            activity?.SetTag("broker.strategy", plan.Strategy);
            activity?.SetTag("broker.decisions", plan.Decisions.Count);
            activity?.SetTag("broker.allocations", created.Count);
            db.ChangeTracker.Clear();
            await wakeUps.ScheduleAsync(plan, ct);
            return created;
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock_all()", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Writes a plan's decisions (the pass's writes, after its lock and snapshot). Returns the allocations to carry out: every one
    /// written and every segment a move ended (now releasing, listed before its move's new allocations), so its Slurm job or
    /// instance goes at once instead of running beside the job's new segment until the reconciler's next round.
    /// </summary>
    internal async Task<IReadOnlyList<Guid>> ApplyAsync(PlacementPlan plan, Policies.PolicyBook terms, CancellationToken ct)
    {
        var created = new List<Guid>();
        foreach (var chunk in plan.Decisions.Where(d => d is not (MigrationDecision or OnPremDecision { Moves: not null })).Chunk(Math.Max(1, lifecycle.PlacementWriteChunkSize)))
        {
            created.AddRange(await PersistChunkAsync(chunk, plan, terms, ct));
        }
        foreach (var migration in plan.Decisions.OfType<MigrationDecision>())
        {
            created.AddRange(await MigrateAsync(migration, plan, terms, ct));
        }
        // A node freed by moving running jobs is written all or nothing, each decision in its own transaction.
        foreach (var freeing in plan.Decisions.OfType<OnPremDecision>().Where(d => d.Moves is not null))
        {
            created.AddRange(await FreeNodeAsync(freeing, plan, terms, ct));
        }
        return created;
    }

    /// <summary>A write that failed because a job or its segment changed since the snapshot (a cancel, a concurrent duplicate).</summary>
    private static bool ChangedDuringPass(DbUpdateException e) =>
        e is DbUpdateConcurrencyException || e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>In the caller's transaction: locks the jobs and their live segments, in id order so two writers locking the same
    /// jobs cannot deadlock each other.</summary>
    private async Task LockJobsAndLiveSegmentsAsync(Guid[] jobIds, CancellationToken ct)
    {
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM jobs WHERE id = ANY({jobIds}) ORDER BY id FOR UPDATE", ct);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"SELECT 1 FROM allocations WHERE job_id = ANY({jobIds}) AND state <> 'Closed' ORDER BY id FOR UPDATE", ct);
    }

    private async Task<bool> LockAsync(bool wait, CancellationToken ct)
    {
        for (var attempt = 1; !await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({LockKey}) AS \"Value\"").SingleAsync(ct); attempt++)
        {
            if (!wait || attempt >= LockAttempts)
            {
                return false;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
        return true;
    }

    /// <summary>
    /// Writes a chunk of decisions in one transaction, each as <see cref="PersistAsync"/> would. When the chunk cannot be saved
    /// (a job changed since the snapshot: cancelled, placed by a concurrent duplicate), it is rolled back whole and its
    /// decisions are written one by one, so the one that conflicts is left for the next pass and the others still go.
    /// </summary>
    private async Task<IReadOnlyList<Guid>> PersistChunkAsync(PlacementDecision[] chunk, PlacementPlan plan, Policies.PolicyBook terms,
        CancellationToken ct)
    {
        List<(Allocation Allocation, TimeSpan Waited)> placed;
        try
        {
            placed = await WriteChunkAsync(chunk, plan, terms, ct);
        }
        catch (DbUpdateException e) when (ChangedDuringPass(e))
        {
            logger.LogInformation("A job of a chunk of {Count} placements changed during the pass; they are written one by one", chunk.Length);
            var created = new List<Guid>();
            foreach (var decision in chunk)
            {
                if (await PersistAsync(decision, plan, terms, ct) is { } allocationId)
                {
                    created.Add(allocationId);
                }
            }
            return created;
        }
        foreach (var (allocation, waited) in placed)
        {
            metrics.Placed(waited, allocation.Market);
        }
        return [.. placed.Select(p => p.Allocation.Id)];
    }

    private async Task<List<(Allocation Allocation, TimeSpan Waited)>> WriteChunkAsync(PlacementDecision[] chunk, PlacementPlan plan,
        Policies.PolicyBook terms, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var ids = chunk.Select(d => Guid.Parse(d.JobId)).ToList();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var jobs = await db.Jobs.Where(j => ids.Contains(j.Id)).ToDictionaryAsync(j => j.Id, ct);
        var placed = new List<(Allocation, TimeSpan)>();
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            foreach (var decision in chunk)
            {
                if (jobs.GetValueOrDefault(Guid.Parse(decision.JobId)) is not { State: JobState.Pending } job)
                {
                    continue;
                }
                var pendingSince = job.UpdatedAt;
                var view = DecisionView.From(decision, plan);
                var allocation = ToAllocation(decision, job, plan.Now, terms.For(job.Team).LeaseFactor ?? lifecycle.LeaseFactor);
                if (allocation is null && SameWait(job.LatestExplanation, view))
                {
                    continue;
                }
                var reservation = allocation is null ? null : CostReservation.For(allocation, decision, job);
                if (reservation is { CountsAgainstBudget: true } && !await budgets.TryReserveAsync(job.Team, reservation.ExpectedCost, plan.Now, ct))
                {
                    BudgetWait(job, view, reservation, plan);
                    continue;
                }
                Record(job, view, allocation, reservation, plan.Now);
                if (allocation is not null)
                {
                    placed.Add((allocation, plan.Now - pendingSince));
                }
            }
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = true;
        }
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return placed;
    }

    /// <summary>
    /// Writes one decision. A cloud allocation first reserves its expected cost against the team's budget, in the same
    /// transaction and under the budget period's row lock; when concurrent placements used the budget up since the
    /// snapshot, the job waits with reason budget instead.
    /// </summary>
    private async Task<Guid?> PersistAsync(PlacementDecision decision, PlacementPlan plan, Policies.PolicyBook terms, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var job = await db.Jobs.FirstOrDefaultAsync(j => j.Id == Guid.Parse(decision.JobId), ct);
        if (job is not { State: JobState.Pending })
        {
            return null;
        }
        // A pending job's UpdatedAt is when it became pending (submitted or requeued): only state moves set it.
        var pendingSince = job.UpdatedAt;
        var view = DecisionView.From(decision, plan);
        var allocation = ToAllocation(decision, job, plan.Now, terms.For(job.Team).LeaseFactor ?? lifecycle.LeaseFactor);
        if (allocation is null && SameWait(job.LatestExplanation, view))
        {
            return null;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var reservation = allocation is null ? null : CostReservation.For(allocation, decision, job);
        if (reservation is { CountsAgainstBudget: true } && !await budgets.TryReserveAsync(job.Team, reservation.ExpectedCost, plan.Now, ct))
        {
            await tx.RollbackAsync(ct);
            return await WaitForBudgetAsync(job, view, reservation, plan, ct);
        }
        Record(job, view, allocation, reservation, plan.Now);
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            if (allocation is not null)
            {
                metrics.Placed(plan.Now - pendingSince, allocation.Market);
            }
            return allocation?.Id;
        }
        catch (DbUpdateException e) when (ChangedDuringPass(e))
        {
            logger.LogInformation("Job {Job} changed during the pass; it is looked at again next pass", job.Id);
            return null;
        }
    }

    /// <summary>The decision on the job's row, and for a placement its allocation and reservation, the job then Placed.</summary>
    private void Record(Job job, DecisionView view, Allocation? allocation, CostReservation? reservation, DateTimeOffset now)
    {
        job.LatestExplanation = JsonSerializer.Serialize(view, Json);
        if (allocation is not null)
        {
            db.Allocations.Add(allocation);
            db.CostReservations.Add(reservation!);
            job.MoveTo(JobState.Placed, JobEventKind.Placed, $"Placed {JobLifecycle.Where(allocation)}: {view.Chosen}", now);
        }
    }

    private static Allocation? ToAllocation(PlacementDecision decision, Job job, DateTimeOffset now, double leaseFactor) => decision switch
    {
        // A gang (ADR 0012) is ONE allocation naming every member: one Slurm job over those nodes, one segment, one ledger entry.
        OnPremDecision d => OnPrem(job, d.Node, d.MemberNodes, d.GpuModel, d.Gpus, d.CostPerHour, now, leaseFactor),
        // A job moved back on-prem gets the allocation a pending job placed on that node would.
        MigrationDecision d => OnPrem(job, d.Node, d.MemberNodes, d.GpuModel, d.Gpus, d.CostPerHour, now, leaseFactor),
        CloudDecision d => new Allocation
        {
            Id = Guid.CreateVersion7(now), JobId = job.Id, Market = d.Market, Provider = d.Offer.Provider, Region = d.Offer.Region,
            Zone = d.Offer.Zone, InstanceType = d.Offer.InstanceType, GpuModel = d.Offer.GpuModel, Gpus = d.Offer.GpusPerInstance,
            PricePerHour = d.PricePerHour, State = AllocationState.Requested, CreatedAt = now, LeaseFactor = leaseFactor,
            InstanceCount = d.Offer.IsGang ? d.Offer.Members : null,
        },
        _ => null,
    };

    private static Allocation OnPrem(Job job, string node, IReadOnlyList<string>? memberNodes, string gpuModel, int gpus, decimal costPerHour,
        DateTimeOffset now, double leaseFactor) => new()
    {
        Id = Guid.CreateVersion7(now), JobId = job.Id, Market = CapacityType.OnPrem, Provider = "slurm", Node = node,
        MemberNodes = memberNodes is { Count: > 1 } members ? [.. members] : null,
        GpuModel = gpuModel, Gpus = gpus, PricePerHour = costPerHour, State = AllocationState.Requested, CreatedAt = now,
        LeaseFactor = leaseFactor,
    };
}
