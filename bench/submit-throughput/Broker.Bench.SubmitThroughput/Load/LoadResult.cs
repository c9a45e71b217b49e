using System.Diagnostics;

namespace Broker.Bench.SubmitThroughput.Load;

/// <summary>What one timed run saw. Latencies are Stopwatch ticks of the successful submits, sorted.</summary>
internal sealed record LoadResult(long Succeeded, long Failed, TimeSpan Elapsed, long[] SortedLatencies, IReadOnlyList<string> ErrorSamples)
{
    public double SubmitsPerSecond => Succeeded / Elapsed.TotalSeconds;

    public double LatencyMs(double percentile) =>
        SortedLatencies.Length == 0 ? double.NaN : Percentiles.NearestRank(SortedLatencies, percentile) * 1000.0 / Stopwatch.Frequency;
}
