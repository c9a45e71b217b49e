using System.Globalization;
using Broker.Core.Placement;
using Broker.Core.Simulation.Output;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Bench.ReplayOpenb;

/// <summary>The headline figures as key=value lines, with the targets of the issue next to the ratios.</summary>
internal static class Headline
{
    public static IEnumerable<string> Lines(IReadOnlyList<ReplayResult> results, double replaySeconds, int violations)
    {
        var by = results.ToDictionary(r => r.Strategy, r => r.Summary);
        var broker = by[PlacementStrategies.Broker];
        var cheapest = by[PlacementStrategies.CheapestFirst];
        var burst = by[PlacementStrategies.BurstOnDemand];
        var onPrem = by[PlacementStrategies.OnPremOnly];
        foreach (var s in results.Select(r => r.Summary))
        {
            yield return Line($"cloud_spend_{Key(s.Strategy)}", s.CloudCost);
        }
        yield return Line("broker_vs_cheapest_first_cloud_saving", Saving(broker.CloudCost, cheapest.CloudCost)) + " (target >= 0.30)";
        yield return Line("broker_vs_burst_ondemand_cloud_saving", Saving(broker.CloudCost, burst.CloudCost)) + " (target >= 0.50)";
        yield return Line("onprem_only_vs_broker_p95_wait_ratio",
            broker.WaitSeconds.P95 <= 0 ? double.PositiveInfinity : Math.Round(onPrem.WaitSeconds.P95 / broker.WaitSeconds.P95, 1)) + " (target >= 10)";
        yield return Line("broker_p95_wait_within_policy_max_wait", broker.WaitSeconds.P95 <= broker.PolicyMaxWaitSeconds ? 1 : 0)
            + $" (p95 {broker.WaitSeconds.P95:0}s vs max {broker.PolicyMaxWaitSeconds:0}s)";
        yield return Line("broker_deadline_misses_not_above_cheapest_first", broker.DeadlineMisses <= cheapest.DeadlineMisses ? 1 : 0);
        foreach (var s in results.Select(r => r.Summary))
        {
            yield return Line($"p95_wait_s_{Key(s.Strategy)}", s.WaitSeconds.P95);
        }
        foreach (var s in results.Select(r => r.Summary))
        {
            yield return Line($"deadline_misses_{Key(s.Strategy)}", s.DeadlineMisses);
        }
        foreach (var s in results.Select(r => r.Summary))
        {
            yield return Line($"onprem_utilization_{Key(s.Strategy)}", s.OnPremUtilization);
        }
        foreach (var s in results.Select(r => r.Summary))
        {
            yield return Line($"onprem_utilization_while_waiting_{Key(s.Strategy)}", s.OnPremUtilizationWhileWaiting)
                + (s.Strategy == PlacementStrategies.Broker ? " (target >= 0.90)" : "");
        }
        foreach (var s in results.Select(r => r.Summary))
        {
            yield return Line($"failed_spot_launches_per_job_{Key(s.Strategy)}", s.Jobs == 0 ? 0 : Math.Round((double)s.FailedSpotLaunches / s.Jobs, 4))
                + $" (max {s.MaxFailedSpotLaunchesPerJob} for one job)";
        }
        foreach (var s in results.Select(r => r.Summary))
        {
            yield return Line($"max_preemptions_per_job_{Key(s.Strategy)}", s.MaxPreemptionsPerJob);
        }
        yield return Line("migrations", broker.Migrations) + " (cloud runs moved back on-prem; not preemptions)";
        yield return Line("node_freeing_moves", broker.NodeFreeingMoves) + " (on-prem runs moved to another node to free theirs; counted as preemptions)";
        yield return Line("max_failed_spot_launches_per_job", broker.MaxFailedSpotLaunchesPerJob);
        yield return Line("max_preemptions_per_job", broker.MaxPreemptionsPerJob) + " (target <= 3)";
        yield return Line("max_wait_over_policy_s", broker.MaxWaitOverPolicyS) + " (target <= one pass interval)";
        yield return Line("invariant_violations", violations);
        yield return Line("replay_seconds_all_strategies", Math.Round(replaySeconds, 1));
    }

    private static double Saving(decimal ours, decimal theirs) => theirs <= 0 ? 0 : Math.Round((double)(1 - ours / theirs), 3);

    private static string Key(string strategy) => strategy.Replace('-', '_');

    private static string Line(string key, IFormattable value) => $"{key}={value.ToString(null, CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The issue-13 keys: with the scenario's user estimates (pooled over every scenario given: spend summed, the wait
    /// ratio the worst scenario's, prediction errors over all jobs), then the same with oracle estimates.
    /// </summary>
    public static IEnumerable<string> EstimateLines(IReadOnlyList<EstimateRun> user, IReadOnlyList<EstimateRun> oracle, int violations)
    {
        if (user.Count > 1)
        {
            foreach (var run in user)
            {
                foreach (var line in Keys(run.Scenario.Scenario.Name + ".", [run]))
                {
                    yield return line;
                }
            }
        }
        foreach (var line in Keys("oracle_", oracle).Where(l => !l.StartsWith("oracle_runtime", StringComparison.Ordinal)))
        {
            yield return line;
        }
        if (user.Count > 1)
        {
            yield return Line("invariant_violations", violations);
        }
        yield return Line("unplaceable_jobs", user.Sum(r => r.Unplaceable.Count))
            + $" ({string.Join("; ", user.Select(r => $"{r.Scenario.Scenario.Name}: {GangShapes.Describe(r.Unplaceable)}"))})";
        foreach (var line in Keys("", user))
        {
            yield return line;
        }
    }

    public static IEnumerable<string> Keys(string prefix, IReadOnlyList<EstimateRun> runs)
    {
        decimal Spend(string strategy) => runs.Sum(r => r.Of(strategy).CloudCost);
        var broker = Spend(PlacementStrategies.Broker);
        var errors = PredictionErrors.Of(runs.SelectMany(r => r.Broker.Predictions).ToArray());
        yield return Line(prefix + "migrations", runs.Sum(r => r.Of(PlacementStrategies.Broker).Migrations));
        yield return Line(prefix + "node_freeing_moves", runs.Sum(r => r.Of(PlacementStrategies.Broker).NodeFreeingMoves));
        yield return Line(prefix + "max_preemptions_per_job", runs.Max(r => EstimateRun.MaxPreemptionsPerJob(r.Broker)));
        yield return Line(prefix + "failed_spot_launches_per_job",
            Math.Round(runs.Sum(r => r.Of(PlacementStrategies.Broker).FailedSpotLaunches) / (double)Math.Max(1, runs.Sum(r => r.Jobs.Count)), 3));
        yield return Line(prefix + "runtime_prediction_median_abs_error_s", errors.MedianAbsErrorS);
        yield return Line(prefix + "runtime_prediction_interval_coverage", errors.IntervalCoverage) + " (nominal 0.80: actual runtime within [p10, p90])";
        yield return Line(prefix + "user_estimate_p90_abs_error", errors.UserEstimateP90AbsRelError);
        yield return Line(prefix + "runtime_prediction_p90_abs_error", errors.P90AbsRelError);
        yield return Line(prefix + "user_estimate_median_abs_error", errors.UserEstimateMedianAbsRelError) + " (|limit - actual| / actual)";
        yield return Line(prefix + "runtime_prediction_median_abs_error", errors.MedianAbsRelError) + " (|predicted - actual| / actual, median over jobs at first start)";
        yield return Line(prefix + "onprem_only_wait_ratio", runs.Min(r => EstimateRun.WaitRatio(r.Of(PlacementStrategies.OnPremOnly), r.Of(PlacementStrategies.Broker)))) + " (target >= 10)";
        yield return Line(prefix + "saving_vs_burst_ondemand", EstimateRun.Saving(broker, Spend(PlacementStrategies.BurstOnDemand))) + " (target >= 0.50)";
        yield return Line(prefix + "saving_vs_cheapest_first", EstimateRun.Saving(broker, Spend(PlacementStrategies.CheapestFirst))) + " (target >= 0.30)";
    }
}
