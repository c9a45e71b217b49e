using System.Collections.Frozen;
using Broker.Core.Placement.Strategies;

namespace Broker.Core.Placement;

/// <summary>The named strategies, resolved by name from a frozen dictionary (after YARP's load-balancing policies).</summary>
public static class PlacementStrategies
{
    public const string OnPremOnly = "onprem-only";
    public const string BurstOnDemand = "burst-ondemand";
    public const string CheapestFirst = "cheapest-first";
    public const string Broker = "broker";

    private static readonly FrozenDictionary<string, IPlacementStrategy> ByName = new IPlacementStrategy[]
    {
        new OnPremOnlyStrategy(),
        ImmediateBurstStrategy.BurstOnDemand(),
        ImmediateBurstStrategy.CheapestFirst(),
        new BrokerStrategy(),
    }.ToFrozenDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>All names, status quo first and the full broker last.</summary>
    public static IReadOnlyList<string> Names { get; } = [OnPremOnly, BurstOnDemand, CheapestFirst, Broker];

    public static bool TryGet(string name, out IPlacementStrategy strategy) => ByName.TryGetValue(name, out strategy!);

    public static IPlacementStrategy Get(string name) =>
        TryGet(name, out var strategy)
            ? strategy
            : throw new ArgumentException($"Unknown placement strategy '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
}
