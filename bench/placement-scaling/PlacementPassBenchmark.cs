using BenchmarkDotNet.Attributes;
using Broker.Core.Placement;

namespace Broker.Bench.PlacementScaling;

/// <summary>One full placement pass; "large" is 10,000 jobs × 1,000 nodes × 2,000 offers, "small" a quarter of each.</summary>
[MemoryDiagnoser]
public class PlacementPassBenchmark
{
    private PlacementSnapshot snapshot = null!;
    private IPlacementStrategy placement = null!;

    [Params("small", "large")]
    public string Size { get; set; } = "small";

    [Params(PlacementStrategies.Broker, PlacementStrategies.CheapestFirst)]
    public string Strategy { get; set; } = PlacementStrategies.Broker;

    [GlobalSetup]
    public void Setup()
    {
        snapshot = Size == "large" ? SyntheticCluster.Create(10_000, 1_000, 2_000) : SyntheticCluster.Create(2_500, 250, 500);
        placement = PlacementStrategies.Get(Strategy);
    }

    [Benchmark]
    public int Pass() => placement.Place(snapshot).Decisions.Count;
}
