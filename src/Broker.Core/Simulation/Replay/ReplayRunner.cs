using Broker.Core.Placement;

namespace Broker.Core.Simulation;

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

    public static ReplayResult Run(LoadedScenario scenario, TraceWindow window, IReadOnlyList<TraceJob> jobs, string strategyName)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var strategy = PlacementStrategies.Get(strategyName);
        return new ReplayRun(scenario, window, jobs, strategy).Execute();
    }

    /// <summary>All strategies over the same jobs, in <see cref="PlacementStrategies.Names"/> order.</summary>
    public static IReadOnlyList<ReplayResult> Compare(LoadedScenario scenario)
    {
        var (window, jobs) = scenario.ReadJobs();
        return PlacementStrategies.Names.Select(name => Run(scenario, window, jobs, name)).ToArray();
    }
}
