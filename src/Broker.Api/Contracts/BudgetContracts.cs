using Broker.Core.Costs.Budgets;
using Broker.Core.Costs;

namespace Broker.Api.Contracts;

/// <summary>PUT /v1/budgets/{team}. <c>period</c> is <c>monthly</c> (default) or <c>custom</c> with <c>from</c> and <c>to</c>.</summary>
public sealed record PutBudgetRequest(decimal? AmountUsd, decimal? SoftPercent, decimal? HardPercent, string? Period,
    DateTimeOffset? From, DateTimeOffset? To);

public sealed record BudgetPeriodResponse(DateTimeOffset Start, DateTimeOffset End, decimal SpentUsd, decimal ReservedUsd,
    decimal CommittedUsd, decimal RemainingUsd, string State, DateTimeOffset? SoftCrossedAt, DateTimeOffset? HardCrossedAt);

public sealed record BudgetResponse(string Team, decimal AmountUsd, decimal SoftPercent, decimal HardPercent, decimal SoftLimitUsd,
    decimal HardLimitUsd, string Period, DateTimeOffset? From, DateTimeOffset? To, BudgetPeriodResponse? Current, DateTimeOffset UpdatedAt);

public sealed record BudgetListResponse(IReadOnlyList<BudgetResponse> Items);

public sealed record BudgetEventResponse(long Id, string Kind, DateTimeOffset At, DateTimeOffset? PeriodStart, DateTimeOffset? PeriodEnd,
    decimal SpentUsd, decimal ReservedUsd, decimal ThresholdUsd, string Message);

public sealed record BudgetEventListResponse(IReadOnlyList<BudgetEventResponse> Items);

public static class BudgetMapping
{
    public static BudgetResponse ToResponse(this BudgetStatus s)
    {
        var b = s.Budget;
        return new BudgetResponse(b.Team, Money.Trim(b.AmountUsd), Money.Trim(b.SoftPercent), Money.Trim(b.HardPercent),
            Money.Trim(b.SoftLimit), Money.Trim(b.HardLimit), JsonNaming.Wire(b.Period), b.From, b.To,
            s.Current is { } p ? new BudgetPeriodResponse(p.PeriodStart, p.PeriodEnd, Money.Trim(p.SpentUsd), Money.Trim(p.ReservedUsd),
                Money.Trim(p.Committed), Money.Trim(b.HardLimit - p.Committed),
                p.Committed >= b.HardLimit ? "hard" : p.Committed >= b.SoftLimit ? "soft" : "ok", p.SoftCrossedAt, p.HardCrossedAt) : null,
            b.UpdatedAt);
    }

    public static BudgetEventResponse ToResponse(this BudgetEvent e) => new(e.Id, Kebab(e.Kind), e.At, e.PeriodStart, e.PeriodEnd,
        Money.Trim(e.SpentUsd), Money.Trim(e.ReservedUsd), Money.Trim(e.ThresholdUsd), e.Message);

    private static string Kebab(BudgetEventKind kind) => kind switch
    {
        BudgetEventKind.Set => "set",
        BudgetEventKind.SoftThresholdCrossed => "soft-threshold-crossed",
        _ => "hard-threshold-crossed",
    };
}
