namespace Broker.Core.Costs.Reports;

/// <summary>
/// The ledger summed per UTC day and every dimension a cost report can group by. Missing region and instance type are
/// stored as '' so the natural key has no nulls. Kept by <see cref="LedgerRollup"/>; never the only source of a report.
/// </summary>
public sealed class DailyCostRollup
{
    public DateOnly Day { get; set; }

    public string Team { get; set; } = "";

    public string Provider { get; set; } = "";

    public string Region { get; set; } = "";

    public string Market { get; set; } = "";

    public string InstanceType { get; set; } = "";

    public string GpuModel { get; set; } = "";

    public string Labels { get; set; } = "{}";

    public decimal GpuHours { get; set; }

    public decimal Cost { get; set; }

    public decimal OnDemandCost { get; set; }

    public long Entries { get; set; }
}

/// <summary>The ledger summed per job and UTC month (by entry start), for the top jobs of a month.</summary>
public sealed class MonthlyJobCost
{
    public DateOnly Month { get; set; }

    public Guid JobId { get; set; }

    public string Team { get; set; } = "";

    public decimal GpuHours { get; set; }

    public decimal Cost { get; set; }

    public decimal OnDemandCost { get; set; }

    public long Entries { get; set; }
}
