using Broker.Core.Audit;
using Broker.Core.Errors;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Costs.Budgets;

/// <summary>A budget as set, for <see cref="BudgetService.SetAsync"/>; null percentages take the defaults (80, 100).</summary>
public sealed record BudgetSpec(decimal AmountUsd, decimal? SoftPercent, decimal? HardPercent, BudgetPeriodKind Period,
    DateTimeOffset? From, DateTimeOffset? To);

/// <summary>A budget with its current period, if one is running.</summary>
public sealed record BudgetStatus(Budget Budget, BudgetPeriod? Current);

/// <summary>Reads and sets team budgets (ops, finance) and their events.</summary>
public sealed class BudgetService(BrokerDbContext db, BudgetAccounts accounts, AuditTrail audit, TimeProvider clock)
{
    public const decimal MaxAmount = 1_000_000_000m;
    public const decimal MaxPercent = 1000m;

    public async Task<IReadOnlyList<BudgetStatus>> ListAsync(string? team, CancellationToken ct)
    {
        var budgets = await db.Budgets.AsNoTracking().Where(b => team == null || b.Team == team).OrderBy(b => b.Team).ToListAsync(ct);
        var result = new List<BudgetStatus>(budgets.Count);
        foreach (var budget in budgets)
        {
            result.Add(await StatusAsync(budget, ct));
        }
        return result;
    }

    public async Task<BudgetStatus> GetAsync(string team, CancellationToken ct)
    {
        var budget = await db.Budgets.AsNoTracking().FirstOrDefaultAsync(b => b.Team == team, ct)
            ?? throw new NotFoundException("budget", team);
        return await StatusAsync(budget, ct);
    }

    /// <summary>
    /// Creates or replaces the team's budget, records a Set event, and re-checks the current period's thresholds; the
    /// audit record (before and after) is saved with the change, so if it cannot be written the budget stays as it was.
    /// </summary>
    public async Task<BudgetStatus> SetAsync(string team, BudgetSpec spec, AuditActor actor, CancellationToken ct)
    {
        Validate(spec);
        var now = PostgresTime.Now(clock);
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await BudgetAccounts.LockTeamAsync(db, team, ct);
            var budget = await db.Budgets.FirstOrDefaultAsync(b => b.Team == team, ct);
            var before = budget is null ? null : View(budget);
            if (budget is null)
            {
                budget = new Budget { Team = team };
                db.Budgets.Add(budget);
            }
            budget.AmountUsd = spec.AmountUsd;
            budget.SoftPercent = spec.SoftPercent ?? 80;
            budget.HardPercent = spec.HardPercent ?? 100;
            budget.Period = spec.Period;
            budget.From = spec.Period == BudgetPeriodKind.Custom ? spec.From!.Value.ToUniversalTime() : null;
            budget.To = spec.Period == BudgetPeriodKind.Custom ? spec.To!.Value.ToUniversalTime() : null;
            budget.UpdatedAt = now;
            BudgetPeriod? current = null;
            if (budget.PeriodAt(now) is { } period)
            {
                current = await accounts.LockPeriodAsync(team, period.Start, period.End, ct);
                BudgetCrossings.Rearm(budget, current);
            }
            db.BudgetEvents.Add(BudgetCrossings.Event(budget, current, BudgetEventKind.Set, budget.HardLimit, now,
                $"Budget set: ${budget.AmountUsd:0.00} per {(budget.Period == BudgetPeriodKind.Monthly ? "month" : "custom range")}, " +
                $"soft {budget.SoftPercent:0.##}%, hard {budget.HardPercent:0.##}%."));
            if (current is not null)
            {
                BudgetCrossings.Record(db, budget, current, now);
            }
            audit.Record(actor, "budget.set", $"budget:{team}", before, View(budget));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        db.ChangeTracker.Clear();
        return await GetAsync(team, ct);
    }

    public async Task<IReadOnlyList<BudgetEvent>> EventsAsync(string team, int limit, CancellationToken ct)
    {
        if (!await db.Budgets.AnyAsync(b => b.Team == team, ct) && !await db.BudgetEvents.AnyAsync(e => e.Team == team, ct))
        {
            throw new NotFoundException("budget", team);
        }
        return await db.BudgetEvents.AsNoTracking().Where(e => e.Team == team).OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Take(limit).ToListAsync(ct);
    }

    /// <summary>Each budget with its period for a month: the period containing the month's start or, for the current month, now.</summary>
    public async Task<IReadOnlyList<BudgetStatus>> ForMonthAsync(DateTimeOffset start, DateTimeOffset end, string? team, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var at = now >= start && now < end ? now : start;
        var budgets = await db.Budgets.AsNoTracking().Where(b => team == null || b.Team == team).OrderBy(b => b.Team).ToListAsync(ct);
        var result = new List<BudgetStatus>(budgets.Count);
        foreach (var budget in budgets)
        {
            result.Add(new(budget, (budget.PeriodAt(at) ?? budget.PeriodAt(start)) is { } period
                ? await accounts.EnsurePeriodAsync(budget.Team, period.Start, period.End, ct)
                : null));
        }
        return result;
    }

    private async Task<BudgetStatus> StatusAsync(Budget budget, CancellationToken ct) =>
        new(budget, budget.PeriodAt(clock.GetUtcNow()) is { } period
            ? await accounts.EnsurePeriodAsync(budget.Team, period.Start, period.End, ct)
            : null);

    /// <summary>What the audit trail keeps of a budget.</summary>
    private static object View(Budget b) => new
    {
        b.Team, b.AmountUsd, b.SoftPercent, b.HardPercent, Period = b.Period.ToString().ToLowerInvariant(), b.From, b.To,
    };

    private static void Validate(BudgetSpec spec)
    {
        var errors = new Dictionary<string, string[]>();
        if (spec.AmountUsd < 0 || spec.AmountUsd > MaxAmount || Usd.Round(spec.AmountUsd) != spec.AmountUsd)
        {
            errors["amountUsd"] = [$"The amount is between 0 and {MaxAmount} USD, with at most 6 decimals."];
        }
        var hard = spec.HardPercent ?? 100;
        if (hard <= 0 || hard > MaxPercent)
        {
            errors["hardPercent"] = [$"The hard threshold is a percentage above 0 and at most {MaxPercent}."];
        }
        if (spec.SoftPercent is { } soft && (soft <= 0 || soft > hard))
        {
            errors["softPercent"] = ["The soft threshold is a percentage above 0 and at most the hard threshold."];
        }
        if (spec.Period == BudgetPeriodKind.Custom)
        {
            if (spec.From is null)
            {
                errors["from"] = ["A custom period needs 'from'."];
            }
            if (spec.To is null)
            {
                errors["to"] = ["A custom period needs 'to'."];
            }
            else if (spec.From is { } from && (spec.To <= from || (spec.To.Value - from).TotalDays > 1100
                || from.Year < 2000 || spec.To.Value.Year >= 2100))
            {
                errors["to"] = ["'to' is after 'from', at most 1100 days later, between 2000 and 2100."];
            }
        }
        else if (spec.From is not null || spec.To is not null)
        {
            errors[spec.From is not null ? "from" : "to"] = ["'from' and 'to' belong to a custom period; a monthly budget has neither."];
        }
        if (errors.Count > 0)
        {
            throw new RuleViolationException("The budget is not valid.", errors);
        }
    }
}
