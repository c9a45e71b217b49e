using System.Diagnostics;
using System.Globalization;
using Broker.Core.Placement;

namespace Broker.Bench.PlacementScaling;

/// <summary>
/// The cheap harness: warm passes timed with a Stopwatch, sizes interleaved round by round so all three see the same
/// machine load, a full GC before each timed pass so a pass pays only for its own allocations, median per size.
/// </summary>
public static class PassTimer
{
    public static readonly (string Name, int Jobs, int Nodes, int Offers)[] Sizes =
    [
        ("small", 2_500, 250, 500),
        ("large", 10_000, 1_000, 2_000),
        ("xlarge", 100_000, 10_000, 20_000),
    ];

    public static int Run(string strategyName, int rounds)
    {
        var strategy = PlacementStrategies.Get(strategyName);
        var snapshots = Sizes.Select(s => SyntheticCluster.Create(s.Jobs, s.Nodes, s.Offers)).ToArray();
        var times = Sizes.Select(_ => new List<double>()).ToArray();
        var bytes = new long[Sizes.Length];
        var gcPause = Sizes.Select(_ => new List<double>()).ToArray();
        var gen2 = new int[Sizes.Length];
        for (var round = -1; round < rounds; round++)
        {
            for (var i = 0; i < Sizes.Length; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var pause = GC.GetTotalPauseDuration();
                var collections = GC.CollectionCount(2);
                var watch = Stopwatch.StartNew();
                var decisions = strategy.Place(snapshots[i]).Decisions.Count;
                watch.Stop();
                if (decisions != Sizes[i].Jobs)
                {
                    throw new InvalidOperationException($"{Sizes[i].Name}: {decisions} decisions for {Sizes[i].Jobs} jobs");
                }
                if (round >= 0)
                {
                    // Round -1 is the warm-up (JIT, tiering); it is not counted.
                    times[i].Add(watch.Elapsed.TotalMilliseconds);
                    bytes[i] = GC.GetAllocatedBytesForCurrentThread() - allocated;
                    gcPause[i].Add((GC.GetTotalPauseDuration() - pause).TotalMilliseconds);
                    gen2[i] = GC.CollectionCount(2) - collections;
                }
            }
        }
        var median = times.Select(Median).ToArray();
        Console.WriteLine($"# GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, {Environment.ProcessorCount} cores, {rounds} timed rounds after one warm-up");
        for (var i = 0; i < Sizes.Length; i++)
        {
            Console.WriteLine(Invariant($"# {strategyName} {Sizes[i].Name} ({Sizes[i].Jobs} jobs x {Sizes[i].Nodes} nodes x {Sizes[i].Offers} offers): median {median[i]:0.0} ms of [{string.Join(", ", times[i].Select(t => t.ToString("0.0", CultureInfo.InvariantCulture)))}], {bytes[i] / 1e6:0.0} MB allocated, GC pauses median {Median(gcPause[i]):0.0} ms, {gen2[i]} gen2 GCs in the last pass"));
        }
        Console.WriteLine(Invariant($"pass_ms_small={median[0]:0.0}"));
        Console.WriteLine(Invariant($"pass_ms_large={median[1]:0.0}"));
        Console.WriteLine(Invariant($"pass_ms_xlarge={median[2]:0.0}"));
        Console.WriteLine(Invariant($"decisions_per_s_large={Sizes[1].Jobs / (median[1] / 1000):0}"));
        Console.WriteLine(Invariant($"scaling_ratio={median[1] / median[0]:0.00}"));
        Console.WriteLine(Invariant($"xlarge_ratio={median[2] / median[1]:0.00}"));
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
