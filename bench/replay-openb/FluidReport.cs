using System.Globalization;
using System.Text;
using Broker.Core.Placement;
using Broker.Core.Simulation.Output;
using static Broker.Bench.ReplayOpenb.InvariantText;

namespace Broker.Bench.ReplayOpenb;

/// <summary>
/// The clairvoyant fluid reference (<see cref="FluidCloudReference"/>) beside each run's strategies: how much cloud the trace
/// needs at best, so the saving targets can be read against what any schedule under the scenario's policy could reach.
/// </summary>
internal static class FluidReport
{
    public static FluidCloudReference Of(EstimateRun run) => FluidCloudReference.Of(run.Scenario.Scenario, run.Jobs);

    public static string Table(IReadOnlyList<EstimateRun> runs)
    {
        var text = new StringBuilder();
        text.Append("| draw | fluid reference $, no wait | with one max wait per job | of it never on-prem | cheapest-first $ | broker $ | ceiling saving vs cheapest-first | broker's saving | broker / reference | strategies below the reference |\n");
        text.Append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var run in runs)
        {
            var r = Of(run);
            var (cheapest, broker) = (run.Of(PlacementStrategies.CheapestFirst).CloudCost, run.Of(PlacementStrategies.Broker).CloudCost);
            text.Append(Invariant($"| {run.Label} | {r.NoWait:0.00} | {r.OneMaxWait:0.00} | {r.NeverOnPrem:0.00} | {cheapest:0.00} | {broker:0.00} | {EstimateRun.Saving(r.OneMaxWait, cheapest):0.000} | {EstimateRun.Saving(broker, cheapest):0.000} | {Ratio(broker, r.OneMaxWait)} | {Below(run, r)} |\n"));
        }
        return text.ToString();
    }

    /// <summary>Per run (prefix = scenario name and a dot) and pooled over all runs (no prefix).</summary>
    public static IEnumerable<string> Lines(IReadOnlyList<EstimateRun> runs)
    {
        var references = runs.Select(Of).ToArray();
        for (var i = 0; i < runs.Count; i++)
        {
            foreach (var line in Lines(runs[i].Scenario.Scenario.Name + ".", [runs[i]], [references[i]]))
            {
                yield return line;
            }
        }
        foreach (var line in Lines("", runs, references))
        {
            yield return line;
        }
    }

    private static IEnumerable<string> Lines(string prefix, IReadOnlyList<EstimateRun> runs, IReadOnlyList<FluidCloudReference> references)
    {
        var (noWait, oneWait) = (references.Sum(r => r.NoWait), references.Sum(r => r.OneMaxWait));
        decimal Spend(string strategy) => runs.Sum(r => r.Of(strategy).CloudCost);
        var (cheapest, burst, broker) = (Spend(PlacementStrategies.CheapestFirst), Spend(PlacementStrategies.BurstOnDemand), Spend(PlacementStrategies.Broker));
        yield return Invariant($"{prefix}fluid_reference_cloud_spend={noWait} (clairvoyant, fluid, no job waits; with one max wait per job {oneWait})");
        yield return Invariant($"{prefix}fluid_ceiling_saving_vs_cheapest_first={EstimateRun.Saving(oneWait, cheapest):0.000} (no wait: {EstimateRun.Saving(noWait, cheapest):0.000}; target >= 0.30)");
        yield return Invariant($"{prefix}fluid_ceiling_saving_vs_burst_ondemand={EstimateRun.Saving(oneWait, burst):0.000} (no wait: {EstimateRun.Saving(noWait, burst):0.000}; target >= 0.50)");
        yield return Invariant($"{prefix}broker_over_fluid_reference={Ratio(broker, oneWait)} (broker cloud spend / the reference with one max wait per job)");
        yield return Invariant($"{prefix}strategies_below_fluid_reference={runs.Select((r, i) => Below(r, references[i])).Sum()} (strategy runs that spent less than the reference with one max wait)");
    }

    private static int Below(EstimateRun run, FluidCloudReference reference) =>
        run.Results.Count(r => r.Strategy != PlacementStrategies.OnPremOnly && r.Summary.CloudCost < reference.OneMaxWait);

    private static string Ratio(decimal spend, decimal reference) =>
        reference <= 0 ? "n/a" : Math.Round((double)(spend / reference), 3).ToString(CultureInfo.InvariantCulture);
}
