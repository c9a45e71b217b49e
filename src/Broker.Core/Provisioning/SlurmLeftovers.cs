using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Provisioning;

/// <summary>
/// Which of Broker's cluster jobs nobody owns any more (ADR 0013): still pending or running, named after an allocation
/// this database knows and has closed. A name whose allocation this database does not know is left alone: another
/// deployment may share the cluster, and an allocation row is always written before its job is submitted.
/// </summary>
internal static class SlurmLeftovers
{
    /// <param name="ClosedAt">When the allocation's segment ended (its row keeps no separate close time; release follows the end).</param>
    public sealed record Leftover(OnPremClusterJob Job, DateTimeOffset ClosedAt);

    public static async Task<IReadOnlyList<Leftover>> OfAsync(BrokerDbContext db, IReadOnlyList<OnPremClusterJob>? listed, CancellationToken ct)
    {
        var active = (listed ?? []).Where(j => j.AllocationId is not null && j.State is OnPremJobState.Pending or OnPremJobState.Running).ToList();
        if (active.Count == 0)
        {
            return [];
        }
        var ids = active.Select(j => j.AllocationId!.Value).Distinct().ToList();
        var closed = await db.Allocations.AsNoTracking()
            .Where(a => ids.Contains(a.Id) && a.State == AllocationState.Closed && a.Market == Capacity.CapacityType.OnPrem)
            .Select(a => new { a.Id, a.EndedAt, a.CreatedAt })
            .ToDictionaryAsync(a => a.Id, a => a.EndedAt ?? a.CreatedAt, ct);
        return [.. active.Where(j => closed.ContainsKey(j.AllocationId!.Value)).Select(j => new Leftover(j, closed[j.AllocationId!.Value]))];
    }
}
