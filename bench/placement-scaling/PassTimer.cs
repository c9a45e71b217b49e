using System.Diagnostics;
using System.Globalization;
using Broker.Core.Placement;

namespace Broker.Bench.PlacementScaling;

/// <summary>
/// The cheap harness: warm passes timed with a Stopwatch, sizes interleaved round by round so all three see the same
/// machine load, a full GC before each timed pass so a pass pays only for its own allocations, median per size. Beside the
/// wall time it reports the process CPU time of the pass (all threads, GC included: less disturbed by other processes on
/// a shared machine), the collections per generation and a fingerprint of every decision (job, kind, target), so a change
/// meant to be only faster can show it decided nothing differently.
/// </summary>
public static class PassTimer
{
    public static readonly (string Name, int Jobs, Func<PlacementSnapshot> Snapshot)[] Sizes =
    [
        ("small", 2_500, () => SyntheticCluster.Create(2_500, 250, 500)),
        ("large", 10_000, () => SyntheticCluster.Create(10_000, 1_000, 2_000)),
        ("xlarge", 100_000, () => SyntheticCluster.Create(100_000, 10_000, 20_000)),
        ("shares-small", 500, () => SharedQueueCluster.Create(500)),
        ("shares-large", 4_000, () => SharedQueueCluster.Create(4_000)),
    ];

    /// <param name="only">Time only the size of this name (for profiling one size; no headline); null for all three.</param>
    /// <param name="sampleAllocations">Also print, per size, the types the timed passes allocated most (runtime sampling).</param>
    public static int Run(string strategyName, int rounds, string? only = null, bool sampleAllocations = false)
    {
        using var sampler = sampleAllocations ? new AllocationSampler() : null;
        var strategy = PlacementStrategies.Get(strategyName);
        var sizes = only is null ? Sizes : Sizes.Where(s => s.Name == only).ToArray();
        var snapshots = sizes.Select(s => s.Snapshot()).ToArray();
        var stats = sizes.Select(_ => new SizeStats()).ToArray();
        var process = Process.GetCurrentProcess();
        for (var round = -1; round < rounds; round++)
        {
            for (var i = 0; i < sizes.Length; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var pause = GC.GetTotalPauseDuration();
                var collections = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                if (sampler is not null)
                {
                    sampler.Recording = round >= 0 ? sizes[i].Name : null;
                }
                var watch = Stopwatch.StartNew();
                var plan = strategy.Place(snapshots[i]);
                watch.Stop();
                if (sampler is not null)
                {
                    sampler.Recording = null;
                }
                var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
                var paused = GC.GetTotalPauseDuration() - pause;
                var counted = Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - collections[g]).ToArray();
                process.Refresh();
                if (plan.Decisions.Count != sizes[i].Jobs)
                {
                    throw new InvalidOperationException($"{sizes[i].Name}: {plan.Decisions.Count} decisions for {sizes[i].Jobs} jobs");
                }
                if (round < 0)
                {
                    // Round -1 is the warm-up (JIT, tiering); it is not counted, but it fixes the fingerprint.
                    stats[i].Fingerprint = DecisionFingerprint.Of(plan);
                    stats[i].TextFingerprint = DecisionFingerprint.WithExplanations(plan);
                    continue;
                }
                if (DecisionFingerprint.Of(plan) != stats[i].Fingerprint)
                {
                    throw new InvalidOperationException($"{sizes[i].Name}: the same snapshot gave different decisions in two passes");
                }
                stats[i].Wall.Add(watch.Elapsed.TotalMilliseconds);
                stats[i].Cpu.Add((process.TotalProcessorTime - cpu).TotalMilliseconds);
                stats[i].GcPause.Add(paused.TotalMilliseconds);
                stats[i].Bytes = bytes;
                stats[i].Collections = counted;
            }
        }
        Console.WriteLine($"# GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, {Environment.ProcessorCount} cores, {rounds} timed rounds after one warm-up, load average {LoadAverage()}");
        for (var i = 0; i < sizes.Length; i++)
        {
            var s = stats[i];
            Console.WriteLine(Invariant($"# {strategyName} {sizes[i].Name} ({sizes[i].Jobs} jobs x {snapshots[i].Nodes.Count} nodes x {snapshots[i].Offers.Count} offers): median {Median(s.Wall):0.0} ms of [{string.Join(", ", s.Wall.Select(t => t.ToString("0.0", CultureInfo.InvariantCulture)))}], CPU median {Median(s.Cpu):0.0} ms, {s.Bytes / 1e6:0.0} MB allocated, GC pauses median {Median(s.GcPause):0.0} ms, gen0/1/2 GCs in the last pass {string.Join("/", s.Collections)}, decisions {s.Fingerprint}, with explanations {s.TextFingerprint}"));
        }
        if (sampler is not null)
        {
            foreach (var size in sizes)
            {
                var top = sampler.Top(size.Name, 20);
                Console.WriteLine(Invariant($"# {size.Name} sampled allocations over {rounds} passes, MB by type: {string.Join(", ", top.Select(t => FormattableString.Invariant($"{t.Type} {t.Bytes / 1e6 / rounds:0.0}")))}"));
            }
        }
        if (only is not null)
        {
            return 0;
        }
        var median = stats.Select(s => Median(s.Wall)).ToArray();
        Console.WriteLine(Invariant($"pass_ms_small={median[0]:0.0}"));
        Console.WriteLine(Invariant($"pass_ms_large={median[1]:0.0}"));
        Console.WriteLine(Invariant($"pass_ms_xlarge={median[2]:0.0}"));
        Console.WriteLine(Invariant($"decisions_per_s_large={Sizes[1].Jobs / (median[1] / 1000):0}"));
        Console.WriteLine(Invariant($"scaling_ratio={median[1] / median[0]:0.00}"));
        Console.WriteLine(Invariant($"xlarge_ratio={median[2] / median[1]:0.00}"));
        Console.WriteLine(Invariant($"pass_ms_shares_small={median[3]:0.0}"));
        Console.WriteLine(Invariant($"pass_ms_shares_large={median[4]:0.0}"));
        Console.WriteLine(Invariant($"share_scaling_ratio={median[4] / median[3]:0.00}"));
        return 0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class SizeStats
    {
        public List<double> Wall { get; } = [];

        public List<double> Cpu { get; } = [];

        public List<double> GcPause { get; } = [];

        public long Bytes { get; set; }

        public int[] Collections { get; set; } = [];

        public string Fingerprint { get; set; } = "";

        public string TextFingerprint { get; set; } = "";
    }
}
