using System.Globalization;
using System.Text;
using Broker.Core.Placement;
using Broker.Core.Simulation.Output;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Bench.ReplayOpenb;

/// <summary>All strategies over one scenario under one estimate mode, with the gang-sized jobs split off and reported.</summary>
internal sealed record EstimateRun(string Label, LoadedScenario Scenario, IReadOnlyList<TraceJob> Jobs,
    IReadOnlyList<TraceJob> Unplaceable, IReadOnlyList<ReplayResult> Results, int Violations)
{
    public ReplaySummary Of(string strategy) => Results.Single(r => r.Strategy == strategy).Summary;

    public ReplayResult Broker => Results.Single(r => r.Strategy == PlacementStrategies.Broker);

    public static EstimateRun Execute(string label, LoadedScenario scenario)
    {
        var (window, all) = scenario.ReadJobs();
        var (jobs, unplaceable) = GangShapes.Split(scenario.Scenario, all);
        var results = PlacementStrategies.Names.Select(name => ReplayRunner.Run(scenario, window, jobs, name)).ToArray();
        return new EstimateRun(label, scenario, jobs, unplaceable, results, results.Sum(r => ReplayInvariants.Check(scenario, jobs, r).Count));
    }

    /// <summary>The same scenario with every hash-drawn assignment (teams, deadlines, checkpointing, user limits) re-seeded.</summary>
    public static LoadedScenario Reseeded(LoadedScenario loaded, string seed)
    {
        var s = loaded.Scenario;
        return loaded with
        {
            Scenario = s with
            {
                Alibaba = s.Alibaba is { } a ? a with { HashSeed = seed } : null,
                Philly = s.Philly is { } p ? p with { HashSeed = seed } : null,
                Estimates = s.Estimates is { } e ? e with { HashSeed = seed } : null,
            },
        };
    }

    public static double Saving(decimal ours, decimal theirs) => theirs <= 0 ? 0 : Math.Round((double)(1 - ours / theirs), 3);

    public static double WaitRatio(ReplaySummary onPrem, ReplaySummary broker) =>
        broker.WaitSeconds.P95 <= 0 ? double.PositiveInfinity : Math.Round(onPrem.WaitSeconds.P95 / broker.WaitSeconds.P95, 1);

    public static int MaxPreemptionsPerJob(ReplayResult r) =>
        r.Segments.Where(s => s.Outcome is Outcomes.Preempted or Outcomes.Moved).GroupBy(s => s.JobId).Select(g => g.Count()).DefaultIfEmpty(0).Max();

    /// <summary>User-estimate and oracle runs side by side: spend, waits and the prediction error of the broker's plans.</summary>
    public static string SideBySide(IReadOnlyList<EstimateRun> runs)
    {
        var text = new StringBuilder();
        text.Append("| estimates | broker $ | cheapest-first $ | burst-ondemand $ | saving vs cheapest-first | saving vs burst-ondemand | broker p95 wait | onprem-only p95 / broker p95 | max preemptions/job | failed spot launches/job | planned-runtime abs rel error p50 / p90 | interval coverage | user-limit abs rel error p50 / p90 |\n");
        text.Append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var run in runs)
        {
            text.Append(Row(run.Label, run)).Append('\n');
        }
        return text.ToString();
    }

    public static string Row(string label, EstimateRun run)
    {
        var broker = run.Of(PlacementStrategies.Broker);
        var cheapest = run.Of(PlacementStrategies.CheapestFirst);
        var burst = run.Of(PlacementStrategies.BurstOnDemand);
        var errors = PredictionErrors.Of(run.Broker);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {broker.CloudCost:0.00} | {cheapest.CloudCost:0.00} | {burst.CloudCost:0.00} | {Saving(broker.CloudCost, cheapest.CloudCost):0.000} | {Saving(broker.CloudCost, burst.CloudCost):0.000} | {broker.WaitSeconds.P95:0} s | {WaitRatio(run.Of(PlacementStrategies.OnPremOnly), broker):0.0} | {MaxPreemptionsPerJob(run.Broker)} | {(double)broker.FailedSpotLaunches / Math.Max(1, broker.Jobs):0.000} | {errors.MedianAbsRelError:0.000} / {errors.P90AbsRelError:0.00} | {errors.IntervalCoverage:0.000} | {errors.UserEstimateMedianAbsRelError:0.000} / {errors.UserEstimateP90AbsRelError:0.00} |");
    }
}
