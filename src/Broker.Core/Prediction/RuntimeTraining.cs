using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Prediction;

/// <summary>
/// The background training of the runtime predictor (run by a Hangfire recurring job on any replica). Under a
/// transaction-scoped advisory lock, so two replicas never train at once (the second skips): when the history differs from
/// the last training's (another count of succeeded jobs or another latest completion), learns from the succeeded jobs of the last <see cref="History"/> and stores the statistics as
/// a new <c>runtime_models</c> row; then refreshes the predictions of waiting jobs, gives one to every started job that has
/// none (frozen from then on), and records the real runtime of succeeded jobs so their error can be shown.
/// </summary>
public sealed class RuntimeTraining(BrokerDbContext db, TimeProvider clock)
{
    /// <summary>pg advisory lock key ("RUNTIME" in ASCII).</summary>
    public const long LockKey = 0x52554E54494D45;

    public static readonly TimeSpan History = TimeSpan.FromDays(180);

    public const int MaxObservations = 20_000;

    public const int MaxJobsPerRun = 5_000;

    private const int KeptModels = 20;

    public async Task<RuntimeTrainingResult> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({LockKey}) AS \"Value\"").SingleAsync(ct);
        if (!locked)
        {
            return new RuntimeTrainingResult(false, null, 0, 0);
        }
        var finished = await FinishedAsync(now, ct);
        var model = await db.Set<RuntimeModelRecord>().OrderByDescending(m => m.Id).FirstOrDefaultAsync(ct);
        var trained = false;
        // Something new finished (or left the window) since the last training: the history is not the one it learned from.
        if (finished.Count > 0 && (model is null || finished.Count != model.Observations
            || finished.Max(f => f.Observation.CompletedAt) != model.LatestCompletedAt))
        {
            var statistics = RuntimeLearner.Train(finished.Select(f => f.Observation));
            model = new RuntimeModelRecord
            {
                TrainedAt = now, Observations = statistics.Observations, LatestCompletedAt = statistics.LatestCompletedAt,
                Statistics = statistics.ToJson(),
            };
            db.Add(model);
            await db.SaveChangesAsync(ct);
            trained = true;
        }
        var predicted = model is null ? 0 : await PredictAsync(model, now, ct);
        var actuals = await RecordActualsAsync(finished, ct);
        await db.SaveChangesAsync(ct);
        if (trained)
        {
            await db.Set<RuntimeModelRecord>().Where(m => m.Id < model!.Id - KeptModels
                && !db.Set<JobRuntimePrediction>().Any(p => p.ModelId == m.Id)).ExecuteDeleteAsync(ct);
        }
        await tx.CommitAsync(ct);
        return new RuntimeTrainingResult(trained, model?.Id, predicted, actuals);
    }

    private async Task<List<Finished>> FinishedAsync(DateTimeOffset now, CancellationToken ct)
    {
        var since = now - History;
        var rows = await (
            from j in db.Jobs.AsNoTracking()
            where j.State == JobState.Succeeded && j.UpdatedAt >= since
            join a in db.Allocations.AsNoTracking() on j.Id equals a.JobId
            where a.End == AllocationEnd.Completed && a.StartedAt != null && a.EndedAt != null
            orderby a.EndedAt descending
            select new { j.Id, j.Team, j.Name, j.Image, j.Gpu.Count, j.EstimatedDuration, j.SavedProgress, Started = a.StartedAt!.Value, Ended = a.EndedAt!.Value })
            .Take(MaxObservations).ToListAsync(ct);
        return rows.Select(r => new Finished(r.Id, new RuntimeObservation(r.Team, JobSignature.Of(r.Name, r.Image), r.Count,
            r.EstimatedDuration, r.SavedProgress + (r.Ended - r.Started), r.Ended))).ToList();
    }

    /// <summary>Waiting jobs get the current model's prediction; started jobs without one get one now and keep it.</summary>
    private async Task<int> PredictAsync(RuntimeModelRecord model, DateTimeOffset now, CancellationToken ct)
    {
        var statistics = RuntimeStatistics.FromJson(model.Statistics);
        var jobs = await db.Jobs.AsNoTracking()
            .Where(j => j.State == JobState.Pending
                ? !db.Set<JobRuntimePrediction>().Any(p => p.JobId == j.Id && p.ModelId == model.Id)
                : (j.State == JobState.Placed || j.State == JobState.Starting || j.State == JobState.Running)
                  && !db.Set<JobRuntimePrediction>().Any(p => p.JobId == j.Id))
            .OrderBy(j => j.Seq).Take(MaxJobsPerRun)
            .Select(j => new { j.Id, j.Team, j.Name, j.Image, j.Gpu.Count, j.EstimatedDuration, j.SavedProgress })
            .ToListAsync(ct);
        var ids = jobs.Select(j => j.Id).ToList();
        var existing = await db.Set<JobRuntimePrediction>().Where(p => ids.Contains(p.JobId)).ToDictionaryAsync(p => p.JobId, ct);
        foreach (var j in jobs)
        {
            var p = RuntimePredictor.Predict(statistics, new RuntimeQuery(j.Team, JobSignature.Of(j.Name, j.Image), j.Count,
                j.EstimatedDuration, j.SavedProgress));
            if (!existing.TryGetValue(j.Id, out var row))
            {
                db.Add(row = new JobRuntimePrediction { JobId = j.Id });
            }
            row.ModelId = model.Id;
            row.PredictedAt = now;
            row.Median = p.Median;
            row.Low = p.Low;
            row.High = p.High;
            row.IntervalCoverage = p.IntervalCoverage;
            row.Basis = p.Basis;
        }
        return jobs.Count;
    }

    private async Task<int> RecordActualsAsync(List<Finished> finished, CancellationToken ct)
    {
        var byJob = finished.GroupBy(f => f.JobId).ToDictionary(g => g.Key, g => g.First().Observation.Actual);
        var ids = byJob.Keys.ToList();
        var open = await db.Set<JobRuntimePrediction>().Where(p => p.Actual == null && ids.Contains(p.JobId)).ToListAsync(ct);
        foreach (var p in open)
        {
            p.Actual = byJob[p.JobId];
        }
        return open.Count;
    }

    private sealed record Finished(Guid JobId, RuntimeObservation Observation);
}

/// <param name="Trained">Whether a new model was stored (false: nothing new finished, or another replica holds the lock).</param>
public sealed record RuntimeTrainingResult(bool Trained, long? ModelId, int JobsPredicted, int ActualsRecorded);
