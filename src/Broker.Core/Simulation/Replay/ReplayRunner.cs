using Broker.Core.Placement;
using Broker.Core.Policies;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;

namespace Broker.Core.Simulation.Replay;

/// <summary>
/// Replays a job trace through the same placement engine the product uses, on a simulated clock: arrivals, completions,
/// spot interruptions from real availability traces and placement passes. Pure apart from the loaded scenario: the same
/// inputs give byte-identical results.
/// </summary>
public static class ReplayRunner
{
    /// <summary>Reads the scenario's trace and replays its window under one strategy.</summary>
    public static ReplayResult Run(LoadedScenario scenario, string strategyName)
    {
        var (window, jobs) = scenario.ReadJobs();
        return Run(scenario, window, jobs, strategyName);
    }

    /// <summary>Replays under the scenario's own policy section.</summary>
    public static ReplayResult Run(LoadedScenario scenario, TraceWindow window, IReadOnlyList<TraceJob> jobs, string strategyName)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var strategy = PlacementStrategies.Get(strategyName);
        return new ReplayRun(scenario, window, jobs, strategy, ReplayEngineInputs.From(scenario.Scenario)).Execute();
    }

    /// <summary>
    /// Replays under the engine's own policies (as <see cref="PolicyService.ForEngineAsync"/> gives them) instead of the
    /// scenario's policy section; the scenario still supplies the fleet, offers, spot traces, budgets and timings.
    /// </summary>
    /// <param name="progress">Told the share of arrivals replayed so far (0..1); called on the replaying thread.</param>
    public static ReplayResult Run(LoadedScenario scenario, TraceWindow window, IReadOnlyList<TraceJob> jobs, string strategyName,
        EnginePolicies policies, Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(policies);
        var strategy = PlacementStrategies.Get(strategyName);
        return new ReplayRun(scenario, window, jobs, strategy, ReplayEngineInputs.From(scenario.Scenario, policies), progress).Execute();
    }

    /// <summary>All strategies over the same jobs, in <see cref="PlacementStrategies.Names"/> order.</summary>
    public static IReadOnlyList<ReplayResult> Compare(LoadedScenario scenario)
    {
        var (window, jobs) = scenario.ReadJobs();
        return PlacementStrategies.Names.Select(name => Run(scenario, window, jobs, name)).ToArray();
    }
}
