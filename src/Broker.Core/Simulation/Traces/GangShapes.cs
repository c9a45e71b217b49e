using Broker.Core.Placement;
using Broker.Core.Simulation.Scenarios;

namespace Broker.Core.Simulation.Traces;

/// <summary>
/// Jobs no capacity of the scenario could ever hold, by the engine's own rule (<see cref="CapacityFeasibility"/>, the check
/// behind the API's 422): not on one node or instance, not as an on-prem gang of whole nodes of one model, not as a cloud
/// gang of equal instances of one type. Jobs larger than any single node or instance that a gang can hold are replayed
/// as gangs (ADR 0012). The rest are split off and reported (count and sizes), never silently dropped: left in the queue
/// they would only wait until the end of the replay and drown every wait figure.
/// </summary>
public static class GangShapes
{
    public static int LargestMachine(Scenario scenario) =>
        scenario.OnPrem.Nodes.Select(n => n.GpusPerNode).Concat(scenario.Cloud.Offers.Select(o => o.Gpus)).DefaultIfEmpty(0).Max();

    /// <summary>The scenario's nodes and offers as the capacity check reads them (every node and offer, as configured).</summary>
    public static IReadOnlyList<CapacityUnit> Capacity(Scenario scenario) =>
        [.. OnPremCapacity(scenario.OnPrem),
            .. scenario.Cloud.Offers.Select(o => new CapacityUnit($"{o.Provider}/{o.Region}/{o.Zone ?? "-"}/{o.InstanceType}", false,
                o.GpuModel, o.GpuMemoryGb, o.Gpus))];

    /// <summary>The fleet's nodes as the capacity check reads them, with their shard counts.</summary>
    public static IReadOnlyList<CapacityUnit> OnPremCapacity(OnPremFleet fleet) =>
        [.. fleet.Nodes.SelectMany(g => Enumerable.Range(0, g.Count)
            .Select(i => new CapacityUnit(g.NodeName(i), true, g.GpuModel, g.GpuMemoryGb, g.GpusPerNode, g.ShardsPerGpu)))];

    public static (IReadOnlyList<TraceJob> Placeable, IReadOnlyList<TraceJob> Unplaceable) Split(Scenario scenario, IReadOnlyList<TraceJob> jobs)
    {
        var capacity = Capacity(scenario);
        var verdicts = new Dictionary<(int, string, int), bool>();
        bool Feasible(TraceJob j)
        {
            var key = (j.Gpus, string.Join('|', j.GpuModels), j.MinGpuMemoryGb);
            if (!verdicts.TryGetValue(key, out var feasible))
            {
                feasible = CapacityFeasibility.Check(new GpuRequestShape(j.Gpus, j.GpuModels, j.MinGpuMemoryGb), capacity).Feasible;
                verdicts[key] = feasible;
            }
            return feasible;
        }
        return (jobs.Where(Feasible).ToArray(), jobs.Where(j => !Feasible(j)).ToArray());
    }

    /// <summary>Jobs larger than every single node and instance of a model they accept: they can only run as gangs.</summary>
    public static IReadOnlyList<TraceJob> Gangs(Scenario scenario, IReadOnlyList<TraceJob> jobs)
    {
        var capacity = Capacity(scenario);
        return jobs.Where(j => j.GpuShare is null && capacity
            .Where(u => j.AcceptsModel(u.GpuModel))
            .All(u => u.Gpus < j.Gpus)).ToArray();
    }

    /// <summary>"16 GPUs: 106, 32 GPUs: 5" (by size, ascending).</summary>
    public static string Describe(IReadOnlyList<TraceJob> jobs) => jobs.Count == 0 ? "none"
        : string.Join(", ", jobs.GroupBy(j => j.Gpus).OrderBy(g => g.Key).Select(g => $"{g.Key} GPUs: {g.Count()}"));
}
