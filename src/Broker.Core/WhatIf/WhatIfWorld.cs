using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.WhatIf;

/// <summary>
/// The world both replays of a what-if share, from Broker's database: the on-prem nodes it knows now (by their own names,
/// with their GPU shards, so shared jobs pack as they do live),
/// the cloud offers it holds (providers configured here, available, current prices) and one spot availability series per
/// spot offer: the configured trace for every offer (as the simulated clouds do), or a series modelled from the offer's
/// interruption rate (<see cref="ModelledSpotAvailability"/>).
/// </summary>
public sealed class WhatIfWorld(BrokerDbContext db, ComputeProviders clouds, WhatIfSettings settings)
{
    public async Task<(LoadedScenario Scenario, string SpotModel)> LoadAsync(string name, decimal onPremRatePerGpuHour,
        CancellationToken ct)
    {
        var nodes = await db.OnPremNodes.AsNoTracking().Where(n => n.Present && n.GpuTotal > 0).OrderBy(n => n.Name).ToListAsync(ct);
        var offers = await db.Offers.AsNoTracking()
            .Where(o => o.Available && o.GpuCount > 0 && clouds.Names.Contains(o.Provider)).OrderBy(o => o.Id).ToListAsync(ct);
        var shared = SharedTrace();
        var traces = new Dictionary<string, SpotAvailabilityTrace>(StringComparer.Ordinal);
        var scenarioOffers = new List<ScenarioOffer>(offers.Count);
        foreach (var o in offers)
        {
            string? key = null;
            if (o.SpotPerHour is > 0)
            {
                key = shared?.Name ?? $"{o.Provider}/{o.Region}/{o.Zone ?? "-"}/{o.InstanceType}";
                traces[key] = shared ?? ModelledSpotAvailability.For(key, o.SpotInterruptionPerHour, settings.SpotOutage);
            }
            scenarioOffers.Add(new ScenarioOffer(o.Provider, o.Region, o.Zone, o.InstanceType, GpuModels.Normalize(o.GpuModel),
                o.GpuCount, (int)(o.GpuMemoryGb ?? SeedGpu.NominalMemory(o.GpuModel) ?? 12), o.OnDemandPerHour,
                o.SpotPerHour is > 0 ? o.SpotPerHour : null, key, $"offers row {o.Id}"));
        }
        var scenario = new Scenario
        {
            Name = name,
            Trace = new TraceSource("database", ScenarioLoader.CsvFormat),
            OnPrem = new OnPremFleet(onPremRatePerGpuHour, [.. nodes.Select(n => new NodeGroup(n.Name, 1, n.GpuTotal,
                GpuModels.Normalize(n.GpuModel), (int)(SeedGpu.NominalMemory(n.GpuModel) ?? 12), [n.Name],
                ShardsPerGpu: n.ShardsPerGpu))]),
            Cloud = new CloudMarket(settings.CloudStartupSeconds, settings.MinimumBilledSeconds, settings.BlockTtlSeconds,
                settings.SpotRateWindowSeconds, scenarioOffers),
            Policy = new PolicySet(new PolicySettings(true, true, 0, null)),
            Simulation = new SimulationSettings(settings.PassIntervalSeconds, settings.DrainDays, 3600),
            // Each job's own estimate is its limit, and the engine learns runtimes from the jobs that finished earlier in
            // the replay, as Broker does live: a what-if never plans with the runtimes history revealed.
            Estimates = new EstimateSettings(EstimateModes.Trace),
        };
        var model = shared is not null
            ? $"every spot offer follows the availability trace {Path.GetFileName(settings.SpotTracePath)}"
            : $"per offer: up-times exponential with the offer's interruption rate, {settings.SpotOutage.TotalMinutes:0} min outages, seeded by the offer";
        return (new LoadedScenario(scenario, "database", "database", traces), model);
    }

    private SpotAvailabilityTrace? SharedTrace()
    {
        if (string.IsNullOrWhiteSpace(settings.SpotTracePath))
        {
            return null;
        }
        try
        {
            return SpotAvailabilityTrace.Parse("spot-trace", File.ReadAllText(settings.SpotTracePath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TraceFormatException)
        {
            throw new WhatIfInputException($"the configured spot availability trace cannot be read: {e.Message}", e);
        }
    }
}
