using Broker.Core.Costs.Idle;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Costs.Reports;

/// <summary>
/// Folds new ledger entries into the daily and per-job monthly rollups. Entries are taken by id up to a horizon below
/// which every id is committed: the horizon is read under a SHARE lock on <c>cost_entries</c>, which waits for every
/// transaction that is inserting entries (an identity value is drawn under the insert's lock), so no entry with a lower id
/// can commit later and be skipped. The watermark row is locked FOR UPDATE, so two runs at once fold each entry once.
/// Reports add the entries above the watermark themselves, so a rollup that lags never makes a report wrong.
/// </summary>
public sealed class LedgerRollup(BrokerDbContext db, TimeProvider clock)
{
    public async Task<long> RollUpAsync(CancellationToken ct)
    {
        long horizon;
        await using (var lockTx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.Database.ExecuteSqlRawAsync("LOCK TABLE cost_entries IN SHARE MODE", ct);
            horizon = await db.Database.SqlQueryRaw<long>("SELECT coalesce(max(id), 0) AS \"Value\" FROM cost_entries").SingleAsync(ct);
            await lockTx.CommitAsync(ct);
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO cost_rollup_state (name, last_entry_id, updated_at) VALUES ('ledger', 0, now()) ON CONFLICT DO NOTHING", ct);
        var state = await db.RollupStates.FromSql($"SELECT * FROM cost_rollup_state WHERE name = {RollupState.Ledger} FOR UPDATE").SingleAsync(ct);
        var from = state.LastEntryId;
        if (horizon <= from)
        {
            await tx.CommitAsync(ct);
            return 0;
        }
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO cost_daily_rollups AS r (day, team, provider, region, market, instance_type, gpu_model, labels,
                                                 gpu_hours, cost, on_demand_cost, entries)
            SELECT (started_at AT TIME ZONE 'UTC')::date, team, provider, coalesce(region, ''), market, coalesce(instance_type, ''),
                   gpu_model, labels, sum(gpu_hours), sum(cost), sum(on_demand_cost), count(*)
            FROM cost_entries WHERE id > {from} AND id <= {horizon}
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
            ON CONFLICT (day, team, provider, region, market, instance_type, gpu_model, labels) DO UPDATE SET
                gpu_hours = r.gpu_hours + excluded.gpu_hours, cost = r.cost + excluded.cost,
                on_demand_cost = r.on_demand_cost + excluded.on_demand_cost, entries = r.entries + excluded.entries
            """, ct);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO cost_job_monthly AS r (month, job_id, team, gpu_hours, cost, on_demand_cost, entries)
            SELECT date_trunc('month', started_at AT TIME ZONE 'UTC')::date, job_id, min(team), sum(gpu_hours), sum(cost), sum(on_demand_cost), count(*)
            FROM cost_entries WHERE id > {from} AND id <= {horizon}
            GROUP BY 1, 2
            ON CONFLICT (month, job_id) DO UPDATE SET
                gpu_hours = r.gpu_hours + excluded.gpu_hours, cost = r.cost + excluded.cost,
                on_demand_cost = r.on_demand_cost + excluded.on_demand_cost, entries = r.entries + excluded.entries
            """, ct);
        state.LastEntryId = horizon;
        state.UpdatedAt = PostgresTime.Now(clock);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return horizon - from;
    }
}
