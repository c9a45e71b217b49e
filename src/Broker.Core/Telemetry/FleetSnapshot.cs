using Broker.Core.Capacity;
using Broker.Core.Costs.Reports;
using Broker.Core.Costs;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Telemetry;

/// <summary>One labelled value of a state gauge.</summary>
public sealed record GaugePoint(double Value, params KeyValuePair<string, object?>[] Labels);

/// <summary>
/// The shared state behind Broker's gauges, read from PostgreSQL (not this process's memory), so every replica reports
/// the same global numbers: aggregate them across replicas with <c>max</c>, never <c>sum</c>.
/// </summary>
public sealed record FleetSnapshot(
    IReadOnlyList<GaugePoint> Jobs,
    IReadOnlyList<GaugePoint> CloudInstances,
    IReadOnlyList<GaugePoint> OnPremGpus,
    IReadOnlyList<GaugePoint> SpendRate,
    IReadOnlyList<GaugePoint> SpendMonth,
    IReadOnlyList<GaugePoint> BudgetUsed)
{
    public static FleetSnapshot Empty { get; } = new([], [], [], [], [], []);
}

/// <summary>Reads a <see cref="FleetSnapshot"/>: a handful of aggregate queries, each over a small or indexed set.</summary>
public sealed class FleetSnapshotReader(BrokerDbContext db, CostReport costs, TimeProvider clock)
{
    public async Task<FleetSnapshot> ReadAsync(CancellationToken ct)
    {
        var now = PostgresTime.Now(clock);
        var byState = await db.Jobs.AsNoTracking().GroupBy(j => j.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var jobs = Enum.GetValues<JobState>().Select(s => new GaugePoint(byState.FirstOrDefault(x => x.Key == s)?.Count ?? 0,
            Label("state", s.ToString().ToLowerInvariant()))).ToList();

        var running = await db.Allocations.AsNoTracking().Where(a => a.State == AllocationState.Running)
            .Join(db.Jobs, a => a.JobId, j => j.Id, (a, j) => new { j.Team, a.Provider, a.Market, a.PricePerHour })
            .GroupBy(x => new { x.Team, x.Provider, x.Market })
            .Select(g => new { g.Key.Team, g.Key.Provider, g.Key.Market, Count = g.Count(), Rate = g.Sum(x => x.PricePerHour) })
            .ToListAsync(ct);
        var instances = running.Where(r => r.Market != CapacityType.OnPrem).GroupBy(r => (r.Provider, r.Market))
            .Select(g => new GaugePoint(g.Sum(r => r.Count), Label("provider", g.Key.Provider), Label("market", BrokerMetrics.MarketLabel(g.Key.Market))))
            .ToList();
        var spendRate = running.GroupBy(r => (r.Team, r.Market))
            .Select(g => new GaugePoint((double)g.Sum(r => r.Rate), Label("team", g.Key.Team), Label("market", BrokerMetrics.MarketLabel(g.Key.Market))))
            .ToList();

        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var rows = await costs.RunAsync(new CostQuery(month, month.AddMonths(1),
            [new CostGrouping(CostDimension.Team), new CostGrouping(CostDimension.Market)], null), ct) ?? [];
        var spendMonth = rows.Select(r => new GaugePoint((double)r.Cost, Label("team", r.Keys[0] ?? ""), Label("market", r.Keys[1] ?? ""))).ToList();

        return new FleetSnapshot(jobs, instances, await OnPremGpusAsync(ct), spendRate, spendMonth, await BudgetUsedAsync(now, ct));
    }

    /// <summary>Used GPUs on listed nodes; idle ones on nodes that take jobs; the rest of listed nodes' GPUs (down, drained) as unavailable.</summary>
    private async Task<List<GaugePoint>> OnPremGpusAsync(CancellationToken ct)
    {
        var nodes = await db.OnPremNodes.AsNoTracking().Where(n => n.Present).ToListAsync(ct);
        return nodes.GroupBy(n => n.GpuModel).SelectMany(g =>
        {
            var used = g.Sum(n => n.GpuUsed);
            var idle = g.Where(n => n.IsSchedulable).Sum(n => Math.Max(0, n.GpuTotal - n.GpuUsed));
            var unavailable = g.Where(n => !n.IsSchedulable).Sum(n => Math.Max(0, n.GpuTotal - n.GpuUsed));
            return new[] { ("used", used), ("idle", idle), ("unavailable", unavailable) }
                .Select(s => new GaugePoint(s.Item2, Label("model", g.Key), Label("status", s.Item1)));
        }).ToList();
    }

    /// <summary>Committed (spent plus reserved) over the amount of each team's current budget period, where one is running.</summary>
    private async Task<List<GaugePoint>> BudgetUsedAsync(DateTimeOffset now, CancellationToken ct)
    {
        var budgets = await db.Budgets.AsNoTracking().Where(b => b.AmountUsd > 0).ToListAsync(ct);
        var teams = budgets.Select(b => b.Team).ToList();
        var periods = await db.BudgetPeriods.AsNoTracking().Where(p => teams.Contains(p.Team) && p.PeriodStart <= now && p.PeriodEnd > now)
            .ToListAsync(ct);
        var result = new List<GaugePoint>();
        foreach (var budget in budgets)
        {
            if (budget.PeriodAt(now) is { } period
                && periods.FirstOrDefault(p => p.Team == budget.Team && p.PeriodStart == period.Start && p.PeriodEnd == period.End) is { } row)
            {
                result.Add(new GaugePoint((double)(row.Committed / budget.AmountUsd), Label("team", budget.Team)));
            }
        }
        return result;
    }

    private static KeyValuePair<string, object?> Label(string name, string value) => new(name, value);
}
