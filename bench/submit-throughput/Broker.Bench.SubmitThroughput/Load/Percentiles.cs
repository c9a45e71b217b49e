namespace Broker.Bench.SubmitThroughput.Load;

internal static class Percentiles
{
    /// <summary>The nearest-rank percentile (0 &lt; p ≤ 100) of ascending values: the smallest value with at least p% at or below it.</summary>
    public static long NearestRank(IReadOnlyList<long> sorted, double percentile)
    {
        if (sorted.Count == 0 || percentile is <= 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), "Needs values and 0 < p <= 100.");
        }
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Count);
        return sorted[Math.Max(rank, 1) - 1];
    }
}
