using Broker.Core.Errors;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.OnPrem;

/// <summary>GPU-hours used against available per time step and GPU model, from the per-minute samples.</summary>
public sealed class UtilizationReport(BrokerDbContext db)
{
    public const int MaxBuckets = 2000;

    public sealed record Bucket(DateTimeOffset Start, string GpuModel, double UsedGpuHours, double AvailableGpuHours);

    public sealed record Report(DateTimeOffset From, DateTimeOffset To, TimeSpan Step, IReadOnlyList<Bucket> Buckets,
        IReadOnlyList<ModelTotal> ByModel, double UsedGpuHours, double AvailableGpuHours);

    public sealed record ModelTotal(string GpuModel, double UsedGpuHours, double AvailableGpuHours);

    /// <summary>
    /// Each sample stands for one minute of its node. A bucket's GPU-hours are the sum over its samples of GPUs / 60, so
    /// minutes without a sample (the cluster was unreachable) count as neither used nor available.
    /// </summary>
    /// <remarks>Column aliases are snake_case because the context maps every name, including raw query results, that way.</remarks>
    public async Task<Report> BuildAsync(DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken ct)
    {
        if (to <= from)
        {
            throw RuleViolationException.For("to", "'to' must be after 'from'.");
        }
        if (step < TimeSpan.FromMinutes(1) || (to - from) / step > MaxBuckets)
        {
            throw RuleViolationException.For("step", $"The step is at least one minute and gives at most {MaxBuckets} buckets.");
        }
        var rows = await db.Database.SqlQuery<Bucket>($"""
            SELECT date_bin({step}, at, {from}) AS start, gpu_model,
                   sum(gpu_used)::float8 / 60 AS used_gpu_hours, sum(gpu_total)::float8 / 60 AS available_gpu_hours
            FROM node_utilization_samples
            WHERE at >= {from} AND at < {to}
            GROUP BY 1, 2
            ORDER BY 1, 2
            """).ToListAsync(ct);
        var byModel = rows.GroupBy(r => r.GpuModel, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ModelTotal(g.Key, g.Sum(r => r.UsedGpuHours), g.Sum(r => r.AvailableGpuHours))).ToList();
        return new Report(from, to, step, rows, byModel, rows.Sum(r => r.UsedGpuHours), rows.Sum(r => r.AvailableGpuHours));
    }
}
