using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Costs;

/// <summary>
/// The money side of budgets: reservations taken at placement and trued up from the ledger. Every writer of a team's
/// budget state first takes the team's transaction-scoped advisory lock, so lazily created periods, reservations and
/// true-ups of one team never interleave.
/// </summary>
public sealed class BudgetAccounts(BrokerDbContext db)
{
    /// <summary>Advisory lock class for budgets (the two-int key space does not overlap the placement pass's bigint key).</summary>
    public const int LockClass = 0x4275_6467; // "Budg"

    public static Task LockTeamAsync(BrokerDbContext db, string team, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock({LockClass}, hashtext({team}))", ct);

    /// <summary>Settles the allocation's reservation with what the ledger says it cost.</summary>
    public async Task TrueUpAsync(Guid allocationId, string team, IReadOnlyList<CostEntry> entries, DateTimeOffset now, CancellationToken ct)
    {
        var actual = entries.Sum(e => e.Cost);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE cost_reservations SET settled_at = {now}, actual_cost = {actual} WHERE allocation_id = {allocationId} AND settled_at IS NULL", ct);
        _ = team;
    }
}
