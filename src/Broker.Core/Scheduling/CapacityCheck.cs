using Broker.Core.Capacity.Catalog;
using Broker.Core.Persistence;
using Broker.Core.Placement;
using Broker.Core.Provisioning;

namespace Broker.Core.Scheduling;

/// <summary>Judges a GPU request against configured capacity (present nodes, offers of configured providers) for
/// <see cref="CapacityFeasibility"/>; refuses only on a snapshot read for the refusal (<see cref="SubmitCapacityCatalog"/>).</summary>
public sealed class CapacityCheck(BrokerDbContext db, ComputeProviders clouds, SubmitCapacityCatalog catalog)
{
    public async Task<CapacityVerdict> CheckAsync(GpuRequestShape request, CancellationToken ct)
    {
        var snapshot = await catalog.ReadAsync(db, clouds, fresh: false, ct);
        var verdict = Check(request, snapshot);
        return verdict.Feasible || snapshot.Fresh ? verdict : Check(request, await catalog.ReadAsync(db, clouds, fresh: true, ct));
    }

    /// <summary>The verdict depends on the request's shape and the snapshot alone, so one snapshot judges each shape once.</summary>
    private static CapacityVerdict Check(GpuRequestShape request, SubmitCapacityCatalog.Snapshot snapshot) =>
        snapshot.Derived(ShapeKey(request), s => CapacityFeasibility.Check(request, s.Derived("capacity-units", Units)));

    // Every field the check reads; the models in the request's order, as a refusal names them. Models never hold control characters.
    private static string ShapeKey(GpuRequestShape r) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"verdict|{r.Count}|{r.MinMemoryGb}|{r.Shared}|{string.Join('\u001f', r.Models)}");

    private static List<CapacityUnit> Units(SubmitCapacityCatalog.Snapshot snapshot) =>
    [
        .. snapshot.Nodes.Select(n => new CapacityUnit(n.Name, true, n.GpuModel, Memory(n.GpuModel, null), n.GpuTotal, n.ShardsPerGpu)),
        .. snapshot.Offers.Where(o => o.GpuCount > 0).Select(o => new CapacityUnit($"{o.Provider}/{o.Region}/{o.Zone ?? "-"}/{o.InstanceType}",
            false, o.GpuModel, Memory(o.GpuModel, o.GpuMemoryGb), o.GpuCount)),
    ];

    // The same nominal table the placement snapshot uses for sources that do not say a GPU's memory.
    private static int Memory(string model, double? stated) => (int)(stated ?? SeedGpu.NominalMemory(model) ?? 12);
}
