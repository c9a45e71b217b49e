namespace Broker.Core.Simulation;

/// <summary>
/// Jobs that ask for more GPUs than any single on-prem node or cloud instance of the scenario has: they need a multi-node
/// gang, which the engine does not place yet. They are split off and reported (count and sizes), never silently dropped:
/// left in the queue they would only wait until the end of the replay and drown every wait figure.
/// </summary>
public static class GangShapes
{
    public static int LargestMachine(Scenario scenario) =>
        scenario.OnPrem.Nodes.Select(n => n.GpusPerNode).Concat(scenario.Cloud.Offers.Select(o => o.Gpus)).DefaultIfEmpty(0).Max();

    public static (IReadOnlyList<TraceJob> Placeable, IReadOnlyList<TraceJob> Unplaceable) Split(Scenario scenario, IReadOnlyList<TraceJob> jobs)
    {
        var largest = LargestMachine(scenario);
        return (jobs.Where(j => j.Gpus <= largest).ToArray(), jobs.Where(j => j.Gpus > largest).ToArray());
    }

    /// <summary>"16 GPUs: 106, 32 GPUs: 5" (by size, ascending).</summary>
    public static string Describe(IReadOnlyList<TraceJob> unplaceable) => unplaceable.Count == 0 ? "none"
        : string.Join(", ", unplaceable.GroupBy(j => j.Gpus).OrderBy(g => g.Key).Select(g => $"{g.Key} GPUs: {g.Count()}"));
}
