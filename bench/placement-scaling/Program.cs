using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Broker.Bench.PlacementScaling;
using Broker.Core.Placement;

// Default: the Stopwatch harness (PassTimer) over small, large and xlarge, interleaved, medians; it prints the headline.
// "--bdn [BenchmarkDotNet args]": the BenchmarkDotNet run over small and large (both strategies, allocations).
if (args.FirstOrDefault() != "--bdn")
{
    var rounds = args.Length >= 2 && args[0] == "--rounds" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
    var only = args.Length >= 4 && args[2] == "--only" ? args[3] : null;
    return PassTimer.Run(PlacementStrategies.Broker, rounds, only, sampleAllocations: args.Contains("--alloc-types"));
}

// A short in-process run (1 launch, 2 warm-ups, 8 iterations) so it finishes in a few minutes on 2 shared cores. The
// printed figures use the median, which a busy shared machine disturbs less than the mean.
var config = ManualConfig.CreateMinimumViable()
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(8)
        .WithId("short"))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
var summary = BenchmarkRunner.Run<PlacementPassBenchmark>(config, args[1..]);

double Median(string size) => summary.Reports
    .Where(r => r.BenchmarkCase.Parameters["Size"] is string s && s == size
        && r.BenchmarkCase.Parameters["Strategy"] is string n && n == PlacementStrategies.Broker)
    .Select(r => r.ResultStatistics?.Median ?? double.NaN).DefaultIfEmpty(double.NaN).First() / 1e6;

var large = Median("large");
var small = Median("small");
Console.WriteLine(FormattableString.Invariant($"pass_ms_large={large:0.0}"));
Console.WriteLine(FormattableString.Invariant($"pass_ms_small={small:0.0}"));
Console.WriteLine(FormattableString.Invariant($"scaling_ratio={large / small:0.00}"));
return 0;
