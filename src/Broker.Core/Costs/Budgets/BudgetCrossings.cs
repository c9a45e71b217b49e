using Broker.Core.Persistence;

namespace Broker.Core.Costs.Budgets;

/// <summary>Records, once per period, the moment committed spend reaches the soft and the hard threshold.</summary>
internal static class BudgetCrossings
{
    public static void Record(BrokerDbContext db, Budget budget, BudgetPeriod p, DateTimeOffset now)
    {
        if (p.SoftCrossedAt is null && p.Committed >= budget.SoftLimit)
        {
            p.SoftCrossedAt = now;
            db.BudgetEvents.Add(Event(budget, p, BudgetEventKind.SoftThresholdCrossed, budget.SoftLimit, now,
                $"{budget.Team} has committed ${p.Committed:0.00} of ${budget.AmountUsd:0.00}: soft threshold ({budget.SoftPercent:0.##}%) reached."));
        }
        if (p.HardCrossedAt is null && p.Committed >= budget.HardLimit)
        {
            p.HardCrossedAt = now;
            db.BudgetEvents.Add(Event(budget, p, BudgetEventKind.HardThresholdCrossed, budget.HardLimit, now,
                $"{budget.Team} has committed ${p.Committed:0.00} of ${budget.AmountUsd:0.00}: hard threshold ({budget.HardPercent:0.##}%) reached; cloud bursting stops."));
        }
    }

    /// <summary>After a budget change: a threshold now above what is committed can be crossed (and recorded) again.</summary>
    public static void Rearm(Budget budget, BudgetPeriod p)
    {
        if (p.Committed < budget.SoftLimit)
        {
            p.SoftCrossedAt = null;
        }
        if (p.Committed < budget.HardLimit)
        {
            p.HardCrossedAt = null;
        }
    }

    public static BudgetEvent Event(Budget budget, BudgetPeriod? p, BudgetEventKind kind, decimal threshold, DateTimeOffset now, string message) => new()
    {
        Team = budget.Team, Kind = kind, At = now, PeriodStart = p?.PeriodStart, PeriodEnd = p?.PeriodEnd, SpentUsd = p?.SpentUsd ?? 0,
        ReservedUsd = p?.ReservedUsd ?? 0, ThresholdUsd = threshold, Message = message,
    };
}
