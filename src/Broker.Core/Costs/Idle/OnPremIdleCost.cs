using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Costs.Idle;

/// <summary>
/// What the on-prem fleet's unused GPUs cost: per node, GPU model and UTC hour, from the per-minute utilization samples,
/// priced at the on-prem rate in effect at each sample. A background job folds finished hours into
/// <c>onprem_idle_hourly</c>; reads take those rows plus the hours not rolled up yet straight from the samples, computed by
/// the same rule (<see cref="IdleHour.From"/>), so a number never changes when its hour is rolled up.
/// </summary>
public sealed class OnPremIdleCost(BrokerDbContext db, OnPremRates rates, TimeProvider clock)
{
    /// <summary>Samples are written at their own minute; an hour is final this long after it ended.</summary>
    public static readonly TimeSpan SettleDelay = TimeSpan.FromMinutes(2);

    public const int MaxRows = 10_000;

    private sealed record SampleAggregate(DateTimeOffset Hour, string Node, string GpuModel, decimal Rate, int Samples, long Used, long Total);

    /// <summary>Rolls every finished hour since the last run into <c>onprem_idle_hourly</c>; returns the rows written.</summary>
    public async Task<int> RollUpAsync(CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO cost_rollup_state (name, last_entry_id, updated_at) VALUES ('idle', 0, now()) ON CONFLICT DO NOTHING", ct);
        var state = await db.RollupStates.FromSql($"SELECT * FROM cost_rollup_state WHERE name = {RollupState.Idle} FOR UPDATE").SingleAsync(ct);
        var until = FloorHour(clock.GetUtcNow() - SettleDelay);
        var from = state.RolledUntil ?? await FirstSampleHourAsync(ct) ?? until;
        if (from >= until)
        {
            await tx.CommitAsync(ct);
            return 0;
        }
        var rows = await FromSamplesAsync(from, until, null, ct);
        db.IdleHours.AddRange(rows);
        state.RolledUntil = until;
        state.UpdatedAt = PostgresTime.Now(clock);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return rows.Count;
    }

    /// <summary>
    /// Every (hour, node, rate) row of [from, to) snapped out to whole hours, oldest first, optionally for one node; null
    /// when there are more than <see cref="MaxRows"/>.
    /// </summary>
    public async Task<List<IdleHour>?> HoursAsync(DateTimeOffset from, DateTimeOffset to, string? node, CancellationToken ct)
    {
        var (start, end) = Snap(from, to);
        var rolled = await RolledUntilAsync(ct) ?? start;
        var split = Clamp(rolled, start, end);
        var query = db.IdleHours.AsNoTracking().Where(h => h.Hour >= start && h.Hour < split);
        if (node is not null)
        {
            query = query.Where(h => h.Node == node);
        }
        if (await query.CountAsync(ct) > MaxRows)
        {
            return null;
        }
        var rows = await query.OrderBy(h => h.Hour).ThenBy(h => h.Node).ThenBy(h => h.UsdPerGpuHour).ToListAsync(ct);
        rows.AddRange(await FromSamplesAsync(split, end, node, ct));
        return rows.Count > MaxRows ? null : rows;
    }

    /// <summary>One step bucket of one GPU model: GPU-minutes used and available, idle GPU-hours and idle cost.</summary>
    public sealed record Bucket(DateTimeOffset Start, string GpuModel, long UsedGpuMinutes, long TotalGpuMinutes, decimal IdleGpuHours, decimal IdleCost);

    /// <summary>
    /// The rows of [from, to) (whole hours) summed per step bucket (a whole number of hours, counted from
    /// <paramref name="from"/>) and GPU model: rolled-up hours in SQL, the rest from the samples by the same rule.
    /// </summary>
    public async Task<List<Bucket>> BucketsAsync(DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken ct)
    {
        var split = Clamp(await RolledUntilAsync(ct) ?? from, from, to);
        var rolled = await db.Database.SqlQuery<Bucket>($"""
            SELECT date_bin({step}, hour, {from}) AS start, gpu_model, sum(used_gpu_minutes)::bigint AS used_gpu_minutes,
                   sum(total_gpu_minutes)::bigint AS total_gpu_minutes, sum(idle_gpu_hours) AS idle_gpu_hours, sum(idle_cost) AS idle_cost
            FROM onprem_idle_hourly WHERE hour >= {from} AND hour < {split}
            GROUP BY 1, 2
            """).ToListAsync(ct);
        var live = (await FromSamplesAsync(split, to, null, ct))
            .Select(h => new Bucket(from + step * Math.Floor((h.Hour - from) / step), h.GpuModel, h.UsedGpuMinutes, h.TotalGpuMinutes, h.IdleGpuHours, h.IdleCost));
        return [.. rolled.Concat(live).GroupBy(b => (b.Start, b.GpuModel))
            .Select(g => new Bucket(g.Key.Start, g.Key.GpuModel, g.Sum(b => b.UsedGpuMinutes), g.Sum(b => b.TotalGpuMinutes), g.Sum(b => b.IdleGpuHours), g.Sum(b => b.IdleCost)))
            .OrderBy(b => b.Start).ThenBy(b => b.GpuModel, StringComparer.Ordinal)];
    }

    /// <summary>The hour the rollup has reached: hours before it are read from rollups, from it on from samples.</summary>
    public Task<DateTimeOffset?> RolledUntilAsync(CancellationToken ct) =>
        db.RollupStates.AsNoTracking().Where(s => s.Name == RollupState.Idle).Select(s => s.RolledUntil).FirstOrDefaultAsync(ct);

    /// <summary>From and to, widened to whole UTC hours.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Snap(DateTimeOffset from, DateTimeOffset to)
    {
        var start = FloorHour(from);
        var end = FloorHour(to);
        return (start, end < to ? end.AddHours(1) : end);
    }

    public static DateTimeOffset FloorHour(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);

    private static DateTimeOffset Clamp(DateTimeOffset t, DateTimeOffset min, DateTimeOffset max) => t < min ? min : t > max ? max : t;

    /// <summary>Samples of [from, to) per hour, node, model and rate, priced by <see cref="IdleHour.From"/>.</summary>
    internal async Task<List<IdleHour>> FromSamplesAsync(DateTimeOffset from, DateTimeOffset to, string? node, CancellationToken ct)
    {
        if (from >= to)
        {
            return [];
        }
        var fallback = rates.DefaultRate;
        var rows = await db.Database.SqlQuery<SampleAggregate>($"""
            SELECT date_trunc('hour', s.at, 'UTC') AS hour, s.node, s.gpu_model, coalesce(r.usd_per_gpu_hour, {fallback}) AS rate,
                   count(*)::int AS samples, sum(s.gpu_used)::bigint AS used, sum(s.gpu_total)::bigint AS total
            FROM node_utilization_samples s
            LEFT JOIN LATERAL (SELECT usd_per_gpu_hour FROM onprem_rates WHERE effective_from <= s.at ORDER BY effective_from DESC LIMIT 1) r ON true
            WHERE s.at >= {from} AND s.at < {to} AND ({node}::text IS NULL OR s.node = {node})
            GROUP BY 1, 2, 3, 4
            ORDER BY 1, 2, 4
            """).ToListAsync(ct);
        return rows.ConvertAll(r => IdleHour.From(r.Hour, r.Node, r.GpuModel, r.Rate, r.Samples, r.Used, r.Total));
    }

    private async Task<DateTimeOffset?> FirstSampleHourAsync(CancellationToken ct)
    {
        var first = await db.NodeUtilizationSamples.AsNoTracking().OrderBy(s => s.At).Select(s => (DateTimeOffset?)s.At).FirstOrDefaultAsync(ct);
        return first is { } at ? FloorHour(at) : null;
    }
}
