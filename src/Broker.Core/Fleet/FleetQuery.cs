using Broker.Core.Capacity;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Fleet;

/// <summary>Reads allocations (intent rows) for the fleet views, newest first, keyset-paged on (created at, id).</summary>
public sealed class FleetQuery(BrokerDbContext db)
{
    /// <summary>Ends that are errors, whose reason is the allocation's last error; ops actions and normal ends are not.</summary>
    private static readonly AllocationEnd[] ErrorEnds =
    [
        AllocationEnd.Failed, AllocationEnd.Interrupted, AllocationEnd.NoCapacity, AllocationEnd.LaunchFailed,
        AllocationEnd.LaunchTimeout, AllocationEnd.Vanished,
    ];

    public async Task<FleetPage> PageAsync(FleetFilter f, CancellationToken ct)
    {
        var q = db.Allocations.AsNoTracking().Join(db.Jobs.AsNoTracking(), a => a.JobId, j => j.Id, (a, j) => new { A = a, j.Team });
        if (f.CloudOnly)
        {
            q = q.Where(x => x.A.Market != CapacityType.OnPrem);
        }
        if (f.States.Count > 0)
        {
            q = q.Where(x => f.States.Contains(x.A.State));
        }
        if (f.Providers.Count > 0)
        {
            q = q.Where(x => f.Providers.Contains(x.A.Provider));
        }
        if (f.Regions.Count > 0)
        {
            q = q.Where(x => x.A.Region != null && f.Regions.Contains(x.A.Region));
        }
        if (f.Markets.Count > 0)
        {
            q = q.Where(x => f.Markets.Contains(x.A.Market));
        }
        if (f.Teams.Count > 0)
        {
            q = q.Where(x => f.Teams.Contains(x.Team));
        }
        if (f.JobId is { } jobId)
        {
            q = q.Where(x => x.A.JobId == jobId);
        }
        if (f.After is { } after)
        {
            q = q.Where(x => EF.Functions.LessThan(ValueTuple.Create(x.A.CreatedAt, x.A.Id), ValueTuple.Create(after.CreatedAt, after.Id)));
        }
        var rows = await q.OrderByDescending(x => x.A.CreatedAt).ThenByDescending(x => x.A.Id).Take(f.Limit + 1).ToListAsync(ct);
        var page = rows.Take(f.Limit).ToList();
        var items = page.Select(x => new FleetRow(x.A, x.Team, LastError(x.A))).ToList();
        return new FleetPage(items, rows.Count > f.Limit ? new FleetCursor(page[^1].A.CreatedAt, page[^1].A.Id) : null);
    }

    /// <summary>
    /// The error an allocation ended with (a refused or timed-out launch, a failed exit, an interruption, a vanished machine);
    /// null while it is live and for ends that are no error (completed, cancelled, withheld or terminated by ops).
    /// </summary>
    public static string? LastError(Allocation a) => a.End is { } end && ErrorEnds.Contains(end) ? a.EndReason ?? end.ToString() : null;
}
