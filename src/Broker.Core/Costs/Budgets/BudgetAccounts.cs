using Broker.Core.Capacity;
using Broker.Core.Persistence;
using Broker.Core.Policies;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Costs.Budgets;

/// <summary>
/// The money side of budgets: reservations taken at placement and trued up from the ledger. Every writer of a team's
/// budget state first takes the team's transaction-scoped advisory lock. Whatever computes a period from the ledger and the
/// open reservations (a lazily created period, a budget set) or checks a reservation against a budget takes it exclusively;
/// the writers of ledger entries and of reservations of a team without a budget take it shared, so they run side by side
/// but never while a period is computed from what they write. The period row itself is locked with SELECT ... FOR UPDATE
/// before its amounts change, which orders the true-ups of concurrent closes.
/// </summary>
public sealed class BudgetAccounts(BrokerDbContext db)
{
    /// <summary>Advisory lock class for budgets (the two-int key space does not overlap the placement pass's bigint key).</summary>
    public const int LockClass = 0x4275_6467; // "Budg"

    public static Task LockTeamAsync(BrokerDbContext db, string team, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock({LockClass}, hashtext({team}))", ct);

    /// <summary>The team's lock in shared mode: for writers whose rows a period computed meanwhile would miss.</summary>
    public static Task LockTeamSharedAsync(BrokerDbContext db, string team, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock_shared({LockClass}, hashtext({team}))", ct);

    /// <summary>
    /// In the caller's transaction, which must be the one that writes the allocation: reserves <paramref name="expected"/>
    /// against the team's current budget period if it fits under the hard limit. True when it fits (or the team has no
    /// budget now); false leaves nothing changed. A team without a budget takes the lock shared: its reservation row, written
    /// by the caller, is then counted by any period a budget set meanwhile computes (that waits for this transaction), and a
    /// budget set between the look-up and the lock applies from the next placement.
    /// </summary>
    public async Task<bool> TryReserveAsync(string team, decimal expected, DateTimeOffset now, CancellationToken ct)
    {
        if (!await db.Budgets.AnyAsync(b => b.Team == team, ct))
        {
            await LockTeamSharedAsync(db, team, ct);
            return true;
        }
        await LockTeamAsync(db, team, ct);
        var budget = await db.Budgets.AsNoTracking().FirstOrDefaultAsync(b => b.Team == team, ct);
        if (budget?.PeriodAt(now) is not { } period)
        {
            return true;
        }
        var row = await LockPeriodAsync(team, period.Start, period.End, ct);
        if (row.Committed + expected > budget.HardLimit)
        {
            return false;
        }
        row.ReservedUsd += expected;
        BudgetCrossings.Record(db, budget, row, now);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// In the ledger's transaction (team lock held, shared or exclusive): settles the allocation's reservation with what its entries cost, and
    /// moves both into every existing period of the team they fall in (reservation by placement time, entries by start).
    /// </summary>
    public async Task TrueUpAsync(Guid allocationId, string team, IReadOnlyList<CostEntry> entries, DateTimeOffset now, CancellationToken ct)
    {
        var reservation = await db.CostReservations.AsNoTracking().FirstOrDefaultAsync(r => r.AllocationId == allocationId && r.SettledAt == null, ct);
        var actual = entries.Sum(e => e.Cost);
        if (reservation is not null)
        {
            await db.CostReservations.Where(r => r.AllocationId == allocationId)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.SettledAt, now).SetProperty(x => x.ActualCost, actual), ct);
        }
        var cloud = entries.Where(e => e.Market != CapacityType.OnPrem).ToList();
        var times = cloud.Select(e => e.StartedAt).Concat(reservation is { CountsAgainstBudget: true } r ? [r.CreatedAt] : []).ToList();
        if (times.Count == 0)
        {
            return;
        }
        var (earliest, latest) = (times.Min(), times.Max());
        var periods = await db.BudgetPeriods
            .FromSql($"SELECT * FROM budget_periods WHERE team = {team} AND period_end > {earliest} AND period_start <= {latest} ORDER BY id FOR UPDATE")
            .ToListAsync(ct);
        if (periods.Count == 0)
        {
            return;
        }
        var budget = await db.Budgets.AsNoTracking().FirstOrDefaultAsync(b => b.Team == team, ct);
        foreach (var p in periods)
        {
            if (reservation is { CountsAgainstBudget: true } && reservation.CreatedAt >= p.PeriodStart && reservation.CreatedAt < p.PeriodEnd)
            {
                p.ReservedUsd -= reservation.ExpectedCost;
            }
            p.SpentUsd += cloud.Where(e => e.StartedAt >= p.PeriodStart && e.StartedAt < p.PeriodEnd).Sum(e => e.Cost);
            if (budget?.PeriodAt(p.PeriodStart) is { } current && current == (p.PeriodStart, p.PeriodEnd))
            {
                BudgetCrossings.Record(db, budget, p, now);
            }
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The team's period row, created and locked in a transaction of its own (for reads and the snapshot).</summary>
    public async Task<BudgetPeriod> EnsurePeriodAsync(string team, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockTeamAsync(db, team, ct);
        var row = await LockPeriodAsync(team, start, end, ct);
        await tx.CommitAsync(ct);
        return row;
    }

    /// <summary>Every team's hard limit and what it has committed in its current period, for the placement snapshot.</summary>
    public async Task<IReadOnlyList<TeamBudget>> ForPlacementAsync(DateTimeOffset now, CancellationToken ct)
    {
        var budgets = await db.Budgets.AsNoTracking().OrderBy(b => b.Team).ToListAsync(ct);
        var result = new List<TeamBudget>(budgets.Count);
        foreach (var budget in budgets)
        {
            if (budget.PeriodAt(now) is { } period)
            {
                var row = await EnsurePeriodAsync(budget.Team, period.Start, period.End, ct);
                result.Add(new TeamBudget(budget.Team, budget.HardLimit, row.Committed));
            }
        }
        db.ChangeTracker.Clear();
        return result;
    }

    /// <summary>With the team lock held: the period row, computed from the ledger and open reservations if missing, locked FOR UPDATE.</summary>
    internal async Task<BudgetPeriod> LockPeriodAsync(string team, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO budget_periods (team, period_start, period_end, spent_usd, reserved_usd)
            SELECT {team}, {start}, {end},
                coalesce((SELECT sum(cost) FROM cost_entries
                          WHERE team = {team} AND market <> 'OnPrem' AND started_at >= {start} AND started_at < {end}), 0),
                coalesce((SELECT sum(expected_cost) FROM cost_reservations
                          WHERE team = {team} AND market <> 'OnPrem' AND settled_at IS NULL AND created_at >= {start} AND created_at < {end}), 0)
            ON CONFLICT (team, period_start, period_end) DO NOTHING
            """, ct);
        return await db.BudgetPeriods
            .FromSql($"SELECT * FROM budget_periods WHERE team = {team} AND period_start = {start} AND period_end = {end} FOR UPDATE")
            .SingleAsync(ct);
    }
}
