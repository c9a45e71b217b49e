using System.Globalization;
using Broker.Core.Placement;
using Broker.Core.Simulation.Scenarios;

namespace Broker.Bench.ReplayOpenb;

/// <summary>
/// A held-out scenario (no engine parameter was chosen on it) run with its user estimates and with the oracle; its
/// issue-13 keys are printed as <c>heldout_&lt;scenario&gt;_*</c>.
/// </summary>
internal sealed record HeldOut(string Name, EstimateRun User, EstimateRun Oracle)
{
    /// <summary>openb-first30 is left out: its three jobs exercise nothing (docs/replay.md, Held-out scenarios).</summary>
    public static readonly IReadOnlyList<string> DefaultScenarios = ["openb-default", "openb-early"];

    public int Violations => User.Violations + Oracle.Violations;

    public static HeldOut Run(LoadedScenario scenario)
    {
        var mode = scenario.Scenario.Estimates?.Mode ?? EstimateModes.Oracle;
        return new HeldOut(scenario.Scenario.Name, EstimateRun.Execute(mode, scenario),
            EstimateRun.Execute(EstimateModes.Oracle, scenario.WithEstimates(new EstimateSettings(EstimateModes.Oracle))));
    }

    public IEnumerable<string> Lines()
    {
        var prefix = "heldout_" + Name.Replace('-', '_') + "_";
        var broker = User.Of(PlacementStrategies.Broker);
        yield return Line("max_wait_over_policy_s", broker.MaxWaitOverPolicyS) + " (target <= one pass interval)";
        yield return Line("p95_wait_within_policy_max_wait", broker.WaitSeconds.P95 <= broker.PolicyMaxWaitSeconds ? 1 : 0)
            + $" (p95 {broker.WaitSeconds.P95:0}s vs max {broker.PolicyMaxWaitSeconds:0}s)";
        yield return Line("oracle_saving_vs_burst_ondemand", Saving(Oracle, PlacementStrategies.BurstOnDemand));
        yield return Line("oracle_saving_vs_cheapest_first", Saving(Oracle, PlacementStrategies.CheapestFirst));
        yield return Line("invariant_violations", Violations);
        foreach (var line in Headline.Keys(prefix, [User]))
        {
            yield return line;
        }

        string Line(string key, IFormattable value) => $"{prefix}{key}={value.ToString(null, CultureInfo.InvariantCulture)}";
    }

    private static double Saving(EstimateRun run, string strategy) =>
        EstimateRun.Saving(run.Of(PlacementStrategies.Broker).CloudCost, run.Of(strategy).CloudCost);
}
