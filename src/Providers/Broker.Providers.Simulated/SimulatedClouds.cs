using Broker.Core.Capacity.Catalog;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation;

namespace Broker.Providers.Simulated;

/// <summary>
/// The three simulated clouds built from one catalog and one set of options, sharing one event feed and one spot availability
/// trace (<see cref="SpotAvailabilityTrace"/>, read only when a path is configured; the product ships none): a tick of 0 means
/// no spot capacity, the trace starts when the clouds are built and repeats when it runs out.
/// </summary>
public sealed class SimulatedClouds : IDisposable
{
    private readonly Dictionary<string, SimulatedCloud> clouds;

    public SimulatedClouds(IReadOnlyList<CatalogOffer> catalog, SimulatedCloudOptions options, TimeProvider clock,
        SimulatedInstanceEvents events, ISimulatedWorkload workload)
    {
        var trace = string.IsNullOrWhiteSpace(options.AvailabilityTracePath) ? null : SpotAvailabilityTrace.Load(options.AvailabilityTracePath);
        clouds = SimulatedCloud.ProviderNames.Select((name, index) =>
                new SimulatedCloud(name, catalog, options, clock, events, workload, new Random(SeedFor(options.Seed, index)), trace))
            .ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    public SimulatedCloud this[string provider] => clouds[provider];

    public IReadOnlyCollection<SimulatedCloud> All => clouds.Values;

    /// <summary>Each cloud's own seed: the configured seed offset by the cloud's position (aws 0, azure 1, gcp 2).</summary>
    public static int SeedFor(int seed, int index) => unchecked(seed * 31 + index);

    public void Dispose()
    {
        foreach (var cloud in clouds.Values)
        {
            cloud.Dispose();
        }
    }
}
