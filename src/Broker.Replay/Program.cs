using System.Diagnostics;
using Broker.Core.Placement;
using Broker.Core.Simulation.Output;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;
using Broker.Replay;

try
{
    var options = ReplayArguments.Parse(args);
    var scenario = ScenarioLoader.Load(options.Scenario);
    var (window, jobs) = scenario.ReadJobs();
    if (options.ExportTrace is { } exportPath)
    {
        using var export = new StreamWriter(exportPath);
        GenericCsvTrace.Write(export, jobs);
        Console.WriteLine($"exported {jobs.Count} jobs of the window to {exportPath} (generic CSV; priorities are not part of that format)");
    }
    var names = options.Compare ? PlacementStrategies.Names : [options.Strategy!];
    var clock = Stopwatch.StartNew();
    var results = names.Select(name => ReplayRunner.Run(scenario, window, jobs, name)).ToArray();
    Console.WriteLine($"scenario {scenario.Scenario.Name}: {jobs.Count} jobs, window {window.StartS}..{window.EndS}s, " +
        $"{results.Length} strateg{(results.Length == 1 ? "y" : "ies")} in {clock.Elapsed.TotalSeconds:0.0}s");
    Console.WriteLine(ReplayReport.Table(results));
    if (options.OutDir is { } outDir)
    {
        ReplayReport.WriteFiles(outDir, $"{scenario.Scenario.Name}: {string.Join(" vs ", names)}", results);
        Console.WriteLine($"wrote {Path.GetFullPath(outDir)}");
    }
    return 0;
}
catch (Exception e) when (e is ArgumentException or TraceFormatException or FileNotFoundException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
