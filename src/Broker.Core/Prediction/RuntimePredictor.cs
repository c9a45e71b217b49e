namespace Broker.Core.Prediction;

/// <summary>
/// Predicts a job's runtime as quantiles of the ratio actual / requested learned from similar finished jobs (ADR 0008).
/// Groups form a hierarchy (all teams → team → team+signature → team+signature+gpus); each level's quantiles are shrunk
/// towards its parent's with weight n / (n + <see cref="PriorStrength"/>), and the root towards ratio 1 (the user's own
/// estimate), so a group with few jobs says little and no history at all predicts exactly what the user asked for. The
/// prediction is then conditioned on the work already done (a job that has run 3 h is a job that takes at least 3 h)
/// and kept within [progress, requested]: it never cuts a job's limit. A job that has outrun every learned runtime is
/// predicted from its progress and its limit alone (log-uniform between them), not as ending at once.
/// </summary>
public static class RuntimePredictor
{
    /// <summary>Pseudo-observations of the parent a group counts as (an assumption of the model, not fitted).</summary>
    public const double PriorStrength = 5;

    public const double LowQuantile = 0.1;
    public const double MedianQuantile = 0.5;
    public const double HighQuantile = 0.9;

    public static RuntimePrediction Predict(RuntimeStatistics statistics, RuntimeQuery query)
    {
        var requested = query.Requested > TimeSpan.Zero ? query.Requested : TimeSpan.FromSeconds(1);
        var progress = query.Progress < TimeSpan.Zero ? TimeSpan.Zero : query.Progress < requested ? query.Progress : requested;
        var keys = RuntimeKeys.For(query.Team, query.Signature, query.Gpus);
        var grid = new double[RuntimeStatistics.Grid.Length];
        var basis = "user estimate (no history)";
        var samples = 0;
        for (var level = 0; level < keys.Length; level++)
        {
            if (!statistics.Groups.TryGetValue(keys[level], out var group) || group.Count == 0)
            {
                continue;
            }
            var w = group.Count / (group.Count + PriorStrength);
            for (var i = 0; i < grid.Length; i++)
            {
                grid[i] = w * group.LogRatios[i] + (1 - w) * grid[i];
            }
            basis = $"{RuntimeKeys.Describe(level, query.Signature.Length > 0)} ({group.Count} jobs)";
            samples = group.Count;
        }
        // Condition on the work done: only the part of the distribution above the progress remains possible.
        var done = progress > TimeSpan.Zero ? Cdf(grid, Math.Log(Math.Max(progress / requested, RuntimeLearner.MinRatio))) : 0;
        var beyondHistory = progress > TimeSpan.Zero && done >= 1;
        var floor = Math.Max(progress.TotalSeconds, requested.TotalSeconds * Math.Exp(grid[^1]));
        TimeSpan At(double q)
        {
            // Past every learned runtime the history says nothing more; what is left known is [work done, limit], and the
            // remainder is taken log-uniform on it (ADR 0008 amendment), so the job is never expected to end "now".
            var seconds = beyondHistory
                ? floor * Math.Pow(requested.TotalSeconds / floor, q)
                : requested.TotalSeconds * Math.Exp(Quantile(grid, done + q * (1 - done)));
            var t = TimeSpan.FromSeconds(Math.Ceiling(seconds));
            return t < progress ? progress : t > requested ? requested : t;
        }
        return new RuntimePrediction(At(MedianQuantile), At(LowQuantile), At(HighQuantile), HighQuantile - LowQuantile, basis, samples);
    }

    /// <summary>Linear interpolation of the quantile function given on <see cref="RuntimeStatistics.Grid"/>.</summary>
    internal static double Quantile(double[] grid, double q)
    {
        var h = Math.Clamp(q, 0, 1) * (grid.Length - 1);
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, grid.Length - 1);
        return grid[lo] + (h - lo) * (grid[hi] - grid[lo]);
    }

    /// <summary>The inverse of <see cref="Quantile"/>: the share of the distribution at or below <paramref name="x"/>.</summary>
    internal static double Cdf(double[] grid, double x)
    {
        var n = grid.Length - 1;
        if (x < grid[0])
        {
            return 0;
        }
        if (x >= grid[n])
        {
            return 1;
        }
        var i = 0;
        while (grid[i + 1] <= x)
        {
            i++;
        }
        var span = grid[i + 1] - grid[i];
        return (i + (span <= 0 ? 0 : (x - grid[i]) / span)) / n;
    }
}
