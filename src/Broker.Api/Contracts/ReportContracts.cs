using Broker.Core.Costs.Idle;
using Broker.Core.Costs.Reports;
using Broker.Core.Costs;

namespace Broker.Api.Contracts;

/// <summary>Sums of one group. Money is USD with the ledger's 6 decimals; only a display rounds to cents.</summary>
public sealed record CostAmounts(decimal GpuHours, decimal CostUsd, decimal OnDemandCostUsd, decimal SavingsUsd, long Entries)
{
    public static CostAmounts Of(IEnumerable<CostRow> rows)
    {
        var list = rows.ToList();
        return From(list.Sum(r => r.GpuHours), list.Sum(r => r.Cost), list.Sum(r => r.OnDemandCost), list.Sum(r => r.Entries));
    }

    public static CostAmounts From(decimal gpuHours, decimal cost, decimal onDemand, long entries) =>
        new(Money.Trim(gpuHours), Money.Trim(cost), Money.Trim(onDemand), Money.Trim(onDemand - cost), entries);
}

public sealed record CostReportRow(IReadOnlyDictionary<string, string?> Key, decimal GpuHours, decimal CostUsd, decimal OnDemandCostUsd,
    decimal SavingsUsd, long Entries);

public sealed record CostReportResponse(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string> GroupBy, string? Team,
    IReadOnlyList<CostReportRow> Rows, CostAmounts Totals, string Currency, string Rounding);

public sealed record UtilizationBucketResponse(DateTimeOffset Start, string GpuModel, decimal UsedGpuHours, decimal AvailableGpuHours,
    decimal IdleGpuHours, decimal IdleCostUsd);

public sealed record UtilizationResponse(DateTimeOffset From, DateTimeOffset To, string Step, IReadOnlyList<UtilizationBucketResponse> Buckets,
    IReadOnlyList<UtilizationBucketResponse> ByGpuModel, decimal IdleGpuHours, decimal IdleCostUsd, decimal OnPremGpuHours,
    IReadOnlyDictionary<string, decimal> CloudGpuHoursByMarket, decimal? OnPremShare);

public sealed record TeamSpendResponse(string Team, decimal CloudCostUsd, decimal OnPremCostUsd, decimal CostUsd, decimal OnDemandCostUsd,
    decimal SavingsUsd, decimal GpuHours, BudgetResponse? Budget, decimal? BudgetUsedPercent, decimal ProjectedCloudCostUsd);

public sealed record TopJobResponse(Guid JobId, string Team, decimal GpuHours, decimal CostUsd, decimal OnDemandCostUsd, long Entries);

public sealed record ForecastResponse(decimal MonthToDateUsd, decimal ProjectedUsd, decimal BurnRatePerDayUsd, double ElapsedDays, int DaysInMonth);

public sealed record SummaryResponse(string Month, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<TeamSpendResponse> Teams,
    decimal CostUsd, decimal OnDemandCostUsd, decimal SavingsUsd, decimal? SavingsPercent, IReadOnlyList<TopJobResponse> TopJobs,
    decimal? IdleOnPremGpuHours, decimal? IdleOnPremCostUsd, ForecastResponse Forecast);

public static class ReportMapping
{
    public const string Rounding = "Each ledger entry is rounded half to even to 6 decimals; sums are exact sums of entries and are never rounded again.";

    public static CostReportResponse ToResponse(this IReadOnlyList<CostRow> rows, CostQuery q) => new(q.From, q.To,
        [.. q.GroupBy.Select(g => g.Name)], q.Team,
        [.. rows.Select(r => new CostReportRow(q.GroupBy.Select((g, i) => (g.Name, r.Keys[i])).ToDictionary(k => k.Name, k => k.Item2),
            Money.Trim(r.GpuHours), Money.Trim(r.Cost), Money.Trim(r.OnDemandCost), Money.Trim(r.Savings), r.Entries))],
        CostAmounts.Of(rows), "USD", Rounding);

    public static UtilizationBucketResponse ToResponse(this OnPremIdleCost.Bucket b) => new(b.Start, b.GpuModel,
        Money.Trim(Usd.Round(b.UsedGpuMinutes / 60m)), Money.Trim(Usd.Round(b.TotalGpuMinutes / 60m)), Money.Trim(b.IdleGpuHours), Money.Trim(b.IdleCost));

    public static UtilizationResponse ToResponse(this UtilizationSummary u, string step) => new(u.From, u.To, step,
        [.. u.Buckets.Select(b => b.ToResponse())], [.. u.ByModel.Select(b => b.ToResponse())], Money.Trim(u.IdleGpuHours), Money.Trim(u.IdleCost),
        Money.Trim(u.LedgerGpuHoursByMarket.GetValueOrDefault("onprem")),
        u.LedgerGpuHoursByMarket.Where(m => m.Key != "onprem").ToDictionary(m => m.Key, m => Money.Trim(m.Value)),
        u.OnPremShare is { } share ? Money.Trim(share) : null);

    public static SummaryResponse ToResponse(this MonthSummary s) => new($"{s.Month:yyyy-MM}", s.From, s.To,
        [.. s.Teams.Select(t => new TeamSpendResponse(t.Team, Money.Trim(t.CloudCost), Money.Trim(t.OnPremCost), Money.Trim(t.Cost),
            Money.Trim(t.OnDemandCost), Money.Trim(t.OnDemandCost - t.Cost), Money.Trim(t.GpuHours), t.Budget?.ToResponse(),
            t.Budget is { Current: { } p } b && b.Budget.HardLimit > 0 ? Math.Round(p.Committed / b.Budget.HardLimit * 100, 2, MidpointRounding.ToEven) : null,
            Money.Trim(t.ProjectedCloudCost)))],
        Money.Trim(s.Cost), Money.Trim(s.OnDemandCost), Money.Trim(s.Savings),
        s.OnDemandCost > 0 ? Math.Round(s.Savings / s.OnDemandCost * 100, 2, MidpointRounding.ToEven) : null,
        [.. s.TopJobs.Select(j => new TopJobResponse(j.JobId, j.Team, Money.Trim(j.GpuHours), Money.Trim(j.Cost), Money.Trim(j.OnDemandCost), j.Entries))],
        s.IdleGpuHours is { } idle ? Money.Trim(idle) : null, s.IdleCost is { } idleCost ? Money.Trim(idleCost) : null,
        new ForecastResponse(Money.Trim(s.Forecast.MonthToDate), Money.Trim(s.Forecast.Projected), Money.Trim(s.Forecast.BurnRatePerDay),
            Math.Round(s.Forecast.ElapsedDays, 4), s.Forecast.DaysInMonth));
}
