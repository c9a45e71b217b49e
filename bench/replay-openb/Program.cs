using System.Diagnostics;
using Broker.Bench.ReplayOpenb;
using Broker.Core.Placement;
using Broker.Core.Simulation;

// replay-openb [--scenario FILE] [--out DIR]: all four strategies on the reference scenario; headline key=value lines last.
string? scenarioPath = null;
var outDir = "replay-openb-out";
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--scenario" when i + 1 < args.Length: scenarioPath = args[++i]; break;
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        default:
            Console.Error.WriteLine("usage: replay-openb [--scenario FILE] [--out DIR]");
            return 2;
    }
}
scenarioPath ??= Path.Combine(RepoRoot(), "scenarios", "openb-hybrid.json");
var scenario = ScenarioLoader.Load(scenarioPath);
var (window, jobs) = scenario.ReadJobs();
var clock = Stopwatch.StartNew();
var results = PlacementStrategies.Names.Select(name => ReplayRunner.Run(scenario, window, jobs, name)).ToArray();
var seconds = clock.Elapsed.TotalSeconds;
var violations = results.Sum(r => ReplayInvariants.Check(scenario, jobs, r).Count);
ReplayReport.WriteFiles(outDir, $"{scenario.Scenario.Name}: on-prem utilization, queue and cloud spend by strategy", results);
Console.WriteLine($"scenario {scenario.Scenario.Name} ({scenarioPath}): {jobs.Count} jobs; wrote {Path.GetFullPath(outDir)}");
Console.WriteLine(ReplayReport.Table(results));
foreach (var line in Headline.Lines(results, seconds, violations))
{
    Console.WriteLine(line);
}
return violations == 0 ? 0 : 1;

static string RepoRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Broker.sln")))
            {
                return dir.FullName;
            }
        }
    }
    throw new InvalidOperationException("Run from inside the repository or pass --scenario.");
}
