using Broker.Core.Simulation.Estimates;
using Broker.Core.Simulation.Traces;

namespace Broker.Core.Simulation.Scenarios;

/// <summary>A scenario with its files resolved and its spot traces read: everything a replay needs besides the jobs.</summary>
public sealed record LoadedScenario(
    Scenario Scenario,
    string ScenarioPath,
    string TracePath,
    IReadOnlyDictionary<string, SpotAvailabilityTrace> SpotTraces,
    string? EstimatesPath = null,
    string? ThroughputsPath = null)
{
    /// <summary>Reads the scenario's trace in its format and returns the window and the jobs submitted in it.</summary>
    public (TraceWindow Window, IReadOnlyList<TraceJob> Jobs) ReadJobs()
    {
        using var reader = new StreamReader(TracePath);
        var all = Scenario.Trace.Format switch
        {
            ScenarioLoader.CsvFormat => GenericCsvTrace.Read(reader, TracePath),
            ScenarioLoader.AlibabaFormat => AlibabaOpenbTrace.Read(reader, TracePath, Scenario.Alibaba!,
                Scenario.GpuModelEquivalences, Scenario.Deadlines),
            ScenarioLoader.PhillyFormat => GavelPhillyTrace.Read(reader, TracePath,
                PhillyThroughputs.Parse(File.ReadAllText(ThroughputsPath!), ThroughputsPath!), Scenario.Philly!, Scenario.Deadlines),
            var other => throw new TraceFormatException($"{ScenarioPath}: unknown trace format '{other}'"),
        };
        var window = TraceWindow.For(Scenario.Window, all);
        return (window, UserEstimates.Apply(window.Select(all), Scenario.Estimates, ReadRatios()));
    }

    /// <summary>The same scenario with another estimate mode or seed (the file paths stay resolved).</summary>
    public LoadedScenario WithEstimates(EstimateSettings estimates) =>
        this with { Scenario = Scenario with { Estimates = estimates with { Path = estimates.Path ?? Scenario.Estimates?.Path } } };

    private BlueWatersRatios? ReadRatios()
    {
        if (Scenario.Estimates?.Mode != EstimateModes.BlueWaters || EstimatesPath is null)
        {
            return null;
        }
        using var reader = new StreamReader(EstimatesPath);
        return BlueWatersRatios.Read(reader, EstimatesPath);
    }
}
