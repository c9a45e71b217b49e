using Broker.Core.Simulation.Replay;

namespace Broker.Core.Simulation.Output;

/// <summary>
/// How good the runtimes the engine planned with were, over the jobs that started, at their first start: the median
/// relative absolute error |planned − actual| / actual (and in seconds), the share of jobs whose actual runtime fell in
/// the predicted interval, and the same median error of the users' own limits, for comparison; the 90th percentiles of
/// both relative errors show the tail the median hides (many users ask for about what their jobs take).
/// </summary>
public sealed record PredictionErrors(int Jobs, double MedianAbsRelError, double MedianAbsErrorS, double IntervalCoverage,
    double UserEstimateMedianAbsRelError, double UserEstimateMedianAbsErrorS, double P90AbsRelError, double UserEstimateP90AbsRelError)
{
    public static PredictionErrors Of(ReplayResult result) => Of(result.Predictions);

    public static PredictionErrors Of(IReadOnlyList<JobPrediction> p)
    {
        double Median(IEnumerable<double> values) => ReplaySummaryBuilder.Percentile([.. values.Order()], 0.5);
        double P90(IEnumerable<double> values) => Math.Round(ReplaySummaryBuilder.Percentile([.. values.Order()], 0.9), 4);
        IEnumerable<double> Relative(Func<JobPrediction, long> estimate) =>
            p.Select(j => Math.Abs(estimate(j) - j.ActualS) / (double)Math.Max(1, j.ActualS));
        return new PredictionErrors(
            p.Count,
            Math.Round(Median(p.Select(j => Math.Abs(j.PredictedS - j.ActualS) / (double)Math.Max(1, j.ActualS))), 4),
            Median(p.Select(j => (double)Math.Abs(j.PredictedS - j.ActualS))),
            p.Count == 0 ? 0 : Math.Round(p.Count(j => j.LowS <= j.ActualS && j.ActualS <= j.HighS) / (double)p.Count, 4),
            Math.Round(Median(p.Select(j => Math.Abs(j.RequestedS - j.ActualS) / (double)Math.Max(1, j.ActualS))), 4),
            Median(p.Select(j => (double)Math.Abs(j.RequestedS - j.ActualS))),
            P90(Relative(j => j.PredictedS)),
            P90(Relative(j => j.RequestedS)));
    }
}
