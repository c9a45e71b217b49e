using Broker.Core.Costs.Idle;

namespace Broker.Core.Costs.Reports;

/// <summary>
/// On-prem GPU-hours used against available per step and GPU model with their idle cost (from the utilization samples),
/// and from the ledger: Broker's on-prem and cloud GPU-hours by market and the share of demand served on-prem.
/// </summary>
public sealed record UtilizationSummary(DateTimeOffset From, DateTimeOffset To, TimeSpan Step, IReadOnlyList<OnPremIdleCost.Bucket> Buckets,
    IReadOnlyList<OnPremIdleCost.Bucket> ByModel, decimal IdleGpuHours, decimal IdleCost, IReadOnlyDictionary<string, decimal> LedgerGpuHoursByMarket,
    decimal? OnPremShare);

public sealed class FleetUtilization(OnPremIdleCost idle, CostReport costs)
{
    public const int MaxBuckets = 2000;

    /// <summary>From and to are widened to whole hours; the step is a whole number of hours. Null when the ledger part overflows.</summary>
    public async Task<UtilizationSummary?> BuildAsync(DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken ct)
    {
        var (start, end) = OnPremIdleCost.Snap(from, to);
        var buckets = await idle.BucketsAsync(start, end, step, ct);
        var byModel = buckets.GroupBy(b => b.GpuModel, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new OnPremIdleCost.Bucket(start, g.Key, g.Sum(b => b.UsedGpuMinutes), g.Sum(b => b.TotalGpuMinutes),
                g.Sum(b => b.IdleGpuHours), g.Sum(b => b.IdleCost))).ToList();
        if (await costs.RunAsync(new CostQuery(start, end, [new CostGrouping(CostDimension.Market)], null), ct) is not { } markets)
        {
            return null;
        }
        var byMarket = markets.ToDictionary(m => m.Keys[0]!, m => m.GpuHours, StringComparer.Ordinal);
        var total = byMarket.Values.Sum();
        return new UtilizationSummary(start, end, step, buckets, byModel, buckets.Sum(b => b.IdleGpuHours), buckets.Sum(b => b.IdleCost),
            byMarket, total == 0 ? null : Math.Round(byMarket.GetValueOrDefault("onprem") / total, 6, MidpointRounding.ToEven));
    }
}
