using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Broker.Core.Provisioning;

/// <summary>
/// A chunk of allocations provisioned together: the rows read once for the chunk, the plain cloud launches sent side by
/// side, and what they launched recorded in one transaction. Everything else goes one by one.
/// </summary>
public sealed partial class AllocationWorker
{
    /// <summary>
    /// Launches the chunk's single cloud instances, at most <paramref name="parallelism"/> at once, with the offer blocks and
    /// circuits as every replica sees them at the start of the chunk, then moves every launched allocation to Provisioning
    /// (its job to Starting) in one transaction. Returns the allocations left to <see cref="ProvisionAsync"/> one by one:
    /// on-prem and gangs (their own launch steps), cancelled jobs, every cloud launch while ops stop any, and segments to
    /// release. Each step is still idempotent, so a chunk run twice, even at once, launches each instance once (by its
    /// allocation's token) and records it once. A launch refused for good is recorded on its own rows as <see cref="ProvisionAsync"/> does; a transient
    /// failure leaves the allocation Requested for the reconciler to hand back; neither holds up the others.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> ProvisionChunkAsync(IReadOnlyList<Guid> allocationIds, int parallelism, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var ids = allocationIds.Distinct().ToList();
        var allocations = await db.Allocations.AsNoTracking().Where(a => ids.Contains(a.Id)).ToListAsync(ct);
        var jobIds = allocations.Select(a => a.JobId).Distinct().ToList();
        var jobs = await db.Jobs.AsNoTracking().Where(j => jobIds.Contains(j.Id)).ToDictionaryAsync(j => j.Id, ct);
        var anyStop = await db.CloudStops.AsNoTracking().AnyAsync(ct);
        var oneByOne = new List<Guid>();
        var launches = new List<(Allocation Allocation, Job Job)>();
        foreach (var a in allocations)
        {
            if (a.State == AllocationState.Releasing)
            {
                oneByOne.Add(a.Id);
                continue;
            }
            if (a.State is not (AllocationState.Requested or AllocationState.Provisioning) || a.ExternalId is not null
                || !jobs.TryGetValue(a.JobId, out var job))
            {
                continue;
            }
            if (a.IsOnPrem || a.IsCloudGang || job.State == JobState.Cancelled || anyStop)
            {
                oneByOne.Add(a.Id);
            }
            else
            {
                launches.Add((a, job));
            }
        }
        if (launches.Count == 0)
        {
            return oneByOne;
        }
        await unavailable.RefreshAsync(ct);
        await health.RefreshAsync(ct);
        var outcomes = new (string? InstanceId, Exception? Error)[launches.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, launches.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct }, async (i, token) =>
            {
                var (a, job) = launches[i];
                try
                {
                    outcomes[i] = (await LaunchWithViewAsync(a, job, token), null);
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    outcomes[i] = (null, e);
                }
            });
        var launched = new Dictionary<Guid, string>();
        for (var i = 0; i < launches.Count; i++)
        {
            var (a, job) = launches[i];
            if (outcomes[i].InstanceId is { } instanceId)
            {
                launched[a.Id] = instanceId;
            }
            else if (outcomes[i].Error is { } error && IsRefusal(error))
            {
                await RecordRefusalAsync(a.Id, job.Id, error, ct);
            }
            else
            {
                logger.LogWarning(outcomes[i].Error, "Provisioning allocation {Allocation} failed; the reconciler hands it back", a.Id);
            }
        }
        await RecordLaunchedAsync(launched, ct);
        return oneByOne;
    }

    /// <summary>The create, without reading the shared blocks and circuits again when the guard can skip that (the chunk read them).</summary>
    private async Task<string> LaunchWithViewAsync(Allocation a, Job job, CancellationToken ct)
    {
        var provider = clouds.Get(a.Provider);
        var request = CloudRequest(job, a);
        return (provider is GuardedComputeProvider guarded
            ? await guarded.CreateWithCurrentViewAsync(request, ct)
            : await provider.CreateAsync(request, ct)).InstanceId;
    }

    /// <summary>
    /// <see cref="JobLifecycle.Provisioning"/> for every launched allocation in one transaction, the allocations locked (in id
    /// order, so two runs of a chunk cannot deadlock) so their instances' first events wait for it. If the batch cannot be
    /// saved (a job changed under it, a row that breaks a constraint), each allocation is recorded on its own instead, so one
    /// bad row holds up nothing but itself.
    /// </summary>
    private async Task RecordLaunchedAsync(IReadOnlyDictionary<Guid, string> launched, CancellationToken ct)
    {
        if (launched.Count == 0)
        {
            return;
        }
        var ids = launched.Keys.Order().ToArray();
        try
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var rows = await db.Allocations.FromSql($"SELECT *, xmin FROM allocations WHERE id = ANY({ids}) ORDER BY id FOR UPDATE").ToListAsync(ct);
            var jobIds = rows.Select(a => a.JobId).Distinct().ToList();
            var jobs = await db.Jobs.Where(j => jobIds.Contains(j.Id)).ToDictionaryAsync(j => j.Id, ct);
            var now = PostgresTime.Now(clock);
            foreach (var row in rows)
            {
                JobLifecycle.Provisioning(jobs[row.JobId], row, launched[row.Id], now);
            }
            db.Database.AutoSavepointsEnabled = false;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            finally
            {
                db.Database.AutoSavepointsEnabled = true;
            }
            await tx.CommitAsync(ct);
            return;
        }
        catch (DbUpdateException e)
        {
            logger.LogInformation("Recording {Count} launches at once failed ({Reason}); recording them one by one", launched.Count,
                e.InnerException?.Message ?? e.Message);
        }
        foreach (var id in ids)
        {
            try
            {
                await ApplyAsync(id, (j, a, now) => JobLifecycle.Provisioning(j, a, launched[id], now), ct);
            }
            catch (DbUpdateException e)
            {
                logger.LogWarning(e, "Allocation {Allocation}: its launch ({Instance}) could not be recorded; the reconciler adopts it by tag",
                    id, launched[id]);
            }
        }
    }
}
