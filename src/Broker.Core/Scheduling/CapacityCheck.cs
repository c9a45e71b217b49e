using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;
using Broker.Core.Persistence;
using Broker.Core.Placement;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Scheduling;

/// <summary>Reads configured capacity (present nodes, offers of configured providers) for <see cref="CapacityFeasibility"/>.</summary>
public sealed class CapacityCheck(BrokerDbContext db, ComputeProviders clouds)
{
    public async Task<CapacityVerdict> CheckAsync(GpuRequestShape request, CancellationToken ct)
    {
        var nodes = await db.OnPremNodes.AsNoTracking().Where(n => n.Present && n.GpuTotal > 0)
            .Select(n => new { n.Name, n.GpuModel, n.GpuTotal, n.ShardsPerGpu }).ToListAsync(ct);
        var offers = await db.Set<Offer>().AsNoTracking().Where(o => clouds.Names.Contains(o.Provider) && o.GpuCount > 0)
            .Select(o => new { o.Provider, o.Region, o.Zone, o.InstanceType, o.GpuModel, o.GpuCount, o.GpuMemoryGb }).ToListAsync(ct);
        offers = offers.Where(o => clouds.Get(o.Provider).Launches(o.Region, o.Zone)).ToList();
        List<CapacityUnit> capacity =
        [
            .. nodes.Select(n => new CapacityUnit(n.Name, true, n.GpuModel, Memory(n.GpuModel, null), n.GpuTotal, n.ShardsPerGpu)),
            .. offers.Select(o => new CapacityUnit($"{o.Provider}/{o.Region}/{o.Zone ?? "-"}/{o.InstanceType}", false, o.GpuModel,
                Memory(o.GpuModel, o.GpuMemoryGb), o.GpuCount)),
        ];
        return CapacityFeasibility.Check(request, capacity);
    }

    // The same nominal table the placement snapshot uses for sources that do not say a GPU's memory.
    private static int Memory(string model, double? stated) => (int)(stated ?? SeedGpu.NominalMemory(model) ?? 12);
}
