using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Prediction;

/// <summary>Reads the stored runtime model and per-job predictions, and turns them into the engine's runtime estimates.</summary>
public sealed class RuntimePredictions(BrokerDbContext db)
{
    /// <summary>The latest trained statistics; empty (every prediction = the user's estimate) before the first training.</summary>
    public async Task<RuntimeStatistics> LatestAsync(CancellationToken ct) =>
        await db.Set<RuntimeModelRecord>().AsNoTracking().OrderByDescending(m => m.Id).Select(m => m.Statistics).FirstOrDefaultAsync(ct)
            is { } json ? RuntimeStatistics.FromJson(json) : RuntimeStatistics.Empty;

    public Task<JobRuntimePrediction?> ForJobAsync(Guid jobId, CancellationToken ct) =>
        db.Set<JobRuntimePrediction>().AsNoTracking().FirstOrDefaultAsync(p => p.JobId == jobId, ct);

    /// <summary>
    /// The total runtime the engine plans with: the predicted median given the work done, within [progress, limit].
    /// </summary>
    public static TimeSpan Planned(RuntimeStatistics statistics, string team, string name, string image, int gpus, TimeSpan limit,
        TimeSpan progress) =>
        RuntimePredictor.Predict(statistics, new RuntimeQuery(team, JobSignature.Of(name, image), gpus, limit, progress)).Median;

    /// <summary>When a running segment is expected to end: never before <paramref name="now"/>, never past the limit.</summary>
    public static DateTimeOffset ExpectedEnd(RuntimeStatistics statistics, string team, string name, string image, int gpus,
        TimeSpan limit, TimeSpan saved, DateTimeOffset started, DateTimeOffset now)
    {
        var elapsed = now > started ? now - started : TimeSpan.Zero;
        var planned = Planned(statistics, team, name, image, gpus, limit, saved + elapsed);
        var remaining = planned - saved;
        return started + (remaining > elapsed ? remaining : elapsed);
    }
}
