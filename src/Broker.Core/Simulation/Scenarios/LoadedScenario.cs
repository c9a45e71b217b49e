namespace Broker.Core.Simulation;

/// <summary>A scenario with its files resolved and its spot traces read: everything a replay needs besides the jobs.</summary>
public sealed record LoadedScenario(
    Scenario Scenario,
    string ScenarioPath,
    string TracePath,
    IReadOnlyDictionary<string, SpotAvailabilityTrace> SpotTraces)
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
            var other => throw new TraceFormatException($"{ScenarioPath}: unknown trace format '{other}'"),
        };
        var window = TraceWindow.For(Scenario.Window, all);
        return (window, window.Select(all));
    }
}
