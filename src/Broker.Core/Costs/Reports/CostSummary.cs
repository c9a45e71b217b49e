using Broker.Core.Costs.Budgets;
using Broker.Core.Costs.Idle;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Costs.Reports;

public sealed record TeamSpend(string Team, decimal CloudCost, decimal OnPremCost, decimal OnDemandCost, decimal GpuHours,
    BudgetStatus? Budget, decimal ProjectedCloudCost)
{
    public decimal Cost => CloudCost + OnPremCost;
}

public sealed record TopJob(Guid JobId, string Team, decimal GpuHours, decimal Cost, decimal OnDemandCost, long Entries);

/// <summary>Spend so far and its projection to the month's end at the burn rate so far (a past month projects to its total).</summary>
public sealed record Forecast(decimal MonthToDate, decimal Projected, decimal BurnRatePerDay, double ElapsedDays, int DaysInMonth);

/// <summary>The page finance opens first. Idle figures are null for callers who see one team only (they are the fleet's).</summary>
public sealed record MonthSummary(DateOnly Month, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<TeamSpend> Teams,
    decimal Cost, decimal OnDemandCost, IReadOnlyList<TopJob> TopJobs, decimal? IdleGpuHours, decimal? IdleCost, Forecast Forecast)
{
    public decimal Savings => OnDemandCost - Cost;
}

public sealed class CostSummary(BrokerDbContext db, CostReport costs, OnPremIdleCost idle, BudgetService budgets, TimeProvider clock)
{
    public const int TopJobCount = 10;

    /// <summary>Null when the team-by-market report overflows (it cannot for a month, but the report says so itself).</summary>
    public async Task<MonthSummary?> BuildAsync(DateOnly month, string? team, CancellationToken ct)
    {
        var start = new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var end = start.AddMonths(1);
        var grouping = new[] { new CostGrouping(CostDimension.Team), new CostGrouping(CostDimension.Market) };
        if (await costs.RunAsync(new CostQuery(start, end, grouping, team), ct) is not { } rows)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var elapsed = (now < start ? TimeSpan.Zero : now >= end ? end - start : now - start).TotalDays;
        var days = (end - start).Days;
        var statuses = (await budgets.ForMonthAsync(start, end, team, ct)).ToDictionary(b => b.Budget.Team, StringComparer.Ordinal);
        var teams = rows.GroupBy(r => r.Keys[0]!, StringComparer.Ordinal).Select(g => g.Key).Union(statuses.Keys).Order(StringComparer.Ordinal)
            .Select(t =>
            {
                var lines = rows.Where(r => r.Keys[0] == t).ToList();
                var cloud = lines.Where(r => r.Keys[1] != "onprem").Sum(r => r.Cost);
                return new TeamSpend(t, cloud, lines.Where(r => r.Keys[1] == "onprem").Sum(r => r.Cost), lines.Sum(r => r.OnDemandCost),
                    lines.Sum(r => r.GpuHours), statuses.GetValueOrDefault(t), Project(cloud, elapsed, days));
            }).ToList();
        var cost = rows.Sum(r => r.Cost);
        var idleBuckets = team is null ? await idle.BucketsAsync(start, end, end - start, ct) : null;
        return new MonthSummary(month, start, end, teams, cost, rows.Sum(r => r.OnDemandCost), await TopJobsAsync(month, start, end, team, ct),
            idleBuckets?.Sum(b => b.IdleGpuHours), idleBuckets?.Sum(b => b.IdleCost),
            new Forecast(cost, Project(cost, elapsed, days), elapsed > 0 ? Usd.Round(cost / (decimal)elapsed) : 0, elapsed, days));
    }

    private static decimal Project(decimal soFar, double elapsedDays, int days) =>
        elapsedDays <= 0 ? 0 : Usd.Round(soFar / (decimal)elapsedDays * days);

    private sealed record JobRow(Guid JobId, string Team, decimal GpuHours, decimal Cost, decimal OnDemandCost, long Entries);

    /// <summary>
    /// The month's most expensive jobs, exact without scanning the month: the jobs with entries above the rollup watermark
    /// (k of them) can move, so the top (n + k) jobs of the rollup plus those k jobs hold the true top n.
    /// </summary>
    private async Task<IReadOnlyList<TopJob>> TopJobsAsync(DateOnly month, DateTimeOffset start, DateTimeOffset end, string? team, CancellationToken ct)
    {
        var rows = await db.Database.SqlQuery<JobRow>($"""
            WITH w AS (SELECT coalesce((SELECT last_entry_id FROM cost_rollup_state WHERE name = 'ledger'), 0) AS id),
            tail AS (
                SELECT job_id, team, sum(gpu_hours) AS gpu_hours, sum(cost) AS cost, sum(on_demand_cost) AS on_demand_cost, count(*) AS entries
                FROM cost_entries
                WHERE id > (SELECT id FROM w) AND started_at >= {start} AND started_at < {end} AND ({team}::text IS NULL OR team = {team})
                GROUP BY job_id, team),
            top AS (
                SELECT job_id FROM cost_job_monthly
                WHERE month = {month} AND ({team}::text IS NULL OR team = {team})
                ORDER BY cost DESC LIMIT {TopJobCount} + (SELECT count(*) FROM tail)),
            candidates AS (SELECT job_id FROM top UNION SELECT job_id FROM tail)
            SELECT c.job_id, coalesce(r.team, t.team) AS team,
                   coalesce(r.gpu_hours, 0) + coalesce(t.gpu_hours, 0) AS gpu_hours, coalesce(r.cost, 0) + coalesce(t.cost, 0) AS cost,
                   coalesce(r.on_demand_cost, 0) + coalesce(t.on_demand_cost, 0) AS on_demand_cost,
                   coalesce(r.entries, 0) + coalesce(t.entries, 0) AS entries
            FROM candidates c
            LEFT JOIN cost_job_monthly r ON r.month = {month} AND r.job_id = c.job_id
            LEFT JOIN tail t ON t.job_id = c.job_id
            ORDER BY cost DESC, c.job_id
            LIMIT {TopJobCount}
            """).ToListAsync(ct);
        return [.. rows.Select(r => new TopJob(r.JobId, r.Team, r.GpuHours, r.Cost, r.OnDemandCost, r.Entries))];
    }
}
