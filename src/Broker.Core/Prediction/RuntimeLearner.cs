namespace Broker.Core.Prediction;

/// <summary>
/// Accumulates finished jobs and turns them into <see cref="RuntimeStatistics"/>. Ratios are ln(actual / requested),
/// clamped to [ln <see cref="MinRatio"/>, 0]: a job that ran into its limit used all of it, and one that used nothing is
/// still a job that took a moment. Not thread-safe; the background training builds one per run.
/// </summary>
public sealed class RuntimeLearner
{
    public const double MinRatio = 1e-4;

    private readonly Dictionary<string, List<double>> sorted = new(StringComparer.Ordinal);

    public int Observations { get; private set; }

    public DateTimeOffset? LatestCompletedAt { get; private set; }

    public void Learn(RuntimeObservation o)
    {
        if (o.Requested <= TimeSpan.Zero)
        {
            return;
        }
        var ratio = Math.Clamp(o.Actual / o.Requested, MinRatio, 1.0);
        var value = Math.Log(ratio);
        foreach (var key in RuntimeKeys.For(o.Team, o.Signature, o.Gpus))
        {
            if (!sorted.TryGetValue(key, out var list))
            {
                sorted[key] = list = [];
            }
            var at = list.BinarySearch(value);
            list.Insert(at < 0 ? ~at : at, value);
        }
        Observations++;
        if (LatestCompletedAt is null || o.CompletedAt > LatestCompletedAt)
        {
            LatestCompletedAt = o.CompletedAt;
        }
    }

    public RuntimeStatistics Build() => new(
        sorted.ToDictionary(g => g.Key, g => new RatioGroup(g.Value.Count, Quantiles(g.Value)), StringComparer.Ordinal),
        Observations,
        LatestCompletedAt);

    public static RuntimeStatistics Train(IEnumerable<RuntimeObservation> observations)
    {
        var learner = new RuntimeLearner();
        foreach (var o in observations)
        {
            learner.Learn(o);
        }
        return learner.Build();
    }

    /// <summary>Linear-interpolation quantiles (type 7) of sorted values at the grid's levels.</summary>
    private static double[] Quantiles(List<double> values)
    {
        var grid = RuntimeStatistics.Grid;
        var result = new double[grid.Length];
        for (var i = 0; i < grid.Length; i++)
        {
            var h = (values.Count - 1) * grid[i];
            var lo = (int)Math.Floor(h);
            var hi = Math.Min(lo + 1, values.Count - 1);
            result[i] = values[lo] + (h - lo) * (values[hi] - values[lo]);
        }
        return result;
    }
}
