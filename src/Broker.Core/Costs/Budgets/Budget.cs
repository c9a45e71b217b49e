namespace Broker.Core.Costs.Budgets;

public enum BudgetPeriodKind
{
    /// <summary>Each UTC calendar month.</summary>
    Monthly,
    /// <summary>One fixed range [From, To).</summary>
    Custom,
}

/// <summary>
/// A team's cloud budget: USD per period with a soft (warn) and a hard (no more bursting) threshold, each a percentage of
/// the amount. Budgets cap cloud spend: on-prem GPUs are already paid for, so a team over its hard limit still gets them.
/// </summary>
public sealed class Budget
{
    public string Team { get; set; } = "";

    public decimal AmountUsd { get; set; }

    public decimal SoftPercent { get; set; } = 80;

    public decimal HardPercent { get; set; } = 100;

    public BudgetPeriodKind Period { get; set; }

    public DateTimeOffset? From { get; set; }

    public DateTimeOffset? To { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    public decimal SoftLimit => Usd.Round(AmountUsd * SoftPercent / 100m);

    public decimal HardLimit => Usd.Round(AmountUsd * HardPercent / 100m);

    /// <summary>The period containing <paramref name="at"/>, or null when a custom range does not contain it.</summary>
    public (DateTimeOffset Start, DateTimeOffset End)? PeriodAt(DateTimeOffset at)
    {
        if (Period == BudgetPeriodKind.Custom)
        {
            return From is { } from && To is { } to && at >= from && at < to ? (from, to) : null;
        }
        var utc = at.UtcDateTime;
        var start = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return (start, start.AddMonths(1));
    }
}

/// <summary>
/// What a team has spent (ledger cloud entries starting in the period) and reserved (unsettled cloud placements made in
/// the period) against one period of its budget. The row placements lock (SELECT ... FOR UPDATE) to reserve.
/// </summary>
public sealed class BudgetPeriod
{
    public long Id { get; set; }

    public string Team { get; set; } = "";

    public DateTimeOffset PeriodStart { get; set; }

    public DateTimeOffset PeriodEnd { get; set; }

    public decimal SpentUsd { get; set; }

    public decimal ReservedUsd { get; set; }

    public DateTimeOffset? SoftCrossedAt { get; set; }

    public DateTimeOffset? HardCrossedAt { get; set; }

    public decimal Committed => SpentUsd + ReservedUsd;
}

public enum BudgetEventKind
{
    /// <summary>The budget was set or changed.</summary>
    Set,
    SoftThresholdCrossed,
    HardThresholdCrossed,
}

/// <summary>Something finance wants to know about a budget, recorded when it happened.</summary>
public sealed class BudgetEvent
{
    public long Id { get; set; }

    public string Team { get; set; } = "";

    public BudgetEventKind Kind { get; set; }

    public DateTimeOffset At { get; set; }

    public DateTimeOffset? PeriodStart { get; set; }

    public DateTimeOffset? PeriodEnd { get; set; }

    public decimal SpentUsd { get; set; }

    public decimal ReservedUsd { get; set; }

    public decimal ThresholdUsd { get; set; }

    public string Message { get; set; } = "";
}
