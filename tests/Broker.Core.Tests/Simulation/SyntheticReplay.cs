using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Core.Tests.Simulation;

/// <summary>Small scenarios built in code: on-prem node groups, optional cloud offers, the openb-like default policy.</summary>
internal static class SyntheticReplay
{
    public static LoadedScenario Scenario(IReadOnlyList<NodeGroup> nodes, IReadOnlyList<ScenarioOffer>? offers = null,
        IReadOnlyDictionary<string, SpotAvailabilityTrace>? spot = null, double maxWaitMinutes = 30, TimeWindow? window = null,
        decimal ratePerGpuHour = 1m) =>
        new(new Scenario
        {
            Name = "synthetic",
            Trace = new TraceSource("synthetic.csv", ScenarioLoader.CsvFormat),
            Window = window ?? new TimeWindow(),
            OnPrem = new OnPremFleet(ratePerGpuHour, nodes),
            Cloud = new CloudMarket(120, 60, 600, 86400, offers ?? []),
            SpotTraces = (spot ?? new Dictionary<string, SpotAvailabilityTrace>()).ToDictionary(t => t.Key, t => t.Key + ".json"),
            Policy = new PolicySet(new PolicySettings(AllowBurst: true, AllowSpot: true, maxWaitMinutes, MaxPricePerGpuHour: 40m)),
        }, "synthetic.json", "synthetic.csv", spot ?? new Dictionary<string, SpotAvailabilityTrace>());

    public static ReplayResult Run(LoadedScenario scenario, IReadOnlyList<TraceJob> jobs, string strategy) =>
        ReplayRunner.Run(scenario, TraceWindow.For(scenario.Scenario.Window, jobs), jobs, strategy);

    public static TraceJob Job(string id, long submitS, long durationS, int gpus = 1, decimal? share = null, bool spotOk = false,
        long? checkpointS = null, params string[] models) =>
        new(id, "team-a", submitS, durationS, gpus, models, null, spotOk, checkpointS, GpuShare: share);

    public static ScenarioOffer Offer(string zone, string type, string model, int gpus, decimal onDemand, decimal? spot = null,
        string? spotTrace = null) =>
        new("aws", "us-east-1", zone, type, model, gpus, 16, onDemand, spot, spotTrace, "test");
}
