using System.Diagnostics;
using Broker.Bench.ReplayOpenb;
using Broker.Core.Simulation;

// replay-openb [--scenario FILE]... [--out DIR] [--seeds N]: all four strategies with the scenario's user estimates and
// with oracle estimates side by side, a sensitivity table over hash seeds, headline key=value lines last.
var scenarioPaths = new List<string>();
var outDir = "replay-openb-out";
var seeds = 5;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--scenario" when i + 1 < args.Length: scenarioPaths.Add(args[++i]); break;
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        case "--seeds" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n >= 0: seeds = n; i++; break;
        default:
            Console.Error.WriteLine("usage: replay-openb [--scenario FILE]... [--out DIR] [--seeds N]");
            return 2;
    }
}
if (scenarioPaths.Count == 0)
{
    scenarioPaths.Add(Path.Combine(RepoRoot(), "scenarios", "openb-hybrid.json"));
}
var clock = Stopwatch.StartNew();
var user = new List<EstimateRun>();
var oracle = new List<EstimateRun>();
foreach (var path in scenarioPaths)
{
    var scenario = ScenarioLoader.Load(path);
    var mode = scenario.Scenario.Estimates?.Mode ?? EstimateModes.Oracle;
    var run = EstimateRun.Execute(mode, scenario);
    var truth = EstimateRun.Execute(EstimateModes.Oracle, scenario.WithEstimates(new EstimateSettings(EstimateModes.Oracle)));
    user.Add(run);
    oracle.Add(truth);
    var name = scenario.Scenario.Name;
    var dir = scenarioPaths.Count == 1 ? outDir : Path.Combine(outDir, name);
    ReplayReport.WriteFiles(dir, $"{name}: on-prem utilization, queue and cloud spend by strategy ({mode} estimates)", run.Results);
    Console.WriteLine($"scenario {name} ({path}): {run.Jobs.Count} jobs replayed; unplaceable (larger than any node or instance, need multi-node gangs): {run.Unplaceable.Count} ({GangShapes.Describe(run.Unplaceable)}); wrote {Path.GetFullPath(dir)}");
    Console.WriteLine($"\n{name}, {mode} estimates:\n{ReplayReport.Table(run.Results)}");
    Console.WriteLine($"{name}, oracle estimates:\n{ReplayReport.Table(truth.Results)}");
    Console.WriteLine($"{name}: the cost of not knowing runtimes (broker's plans at each job's first start; errors relative to the actual runtime)\n{EstimateRun.SideBySide([run, truth])}");
    if (seeds > 0)
    {
        Console.WriteLine($"{name}: sensitivity over hash seeds (teams, deadlines, checkpointing and user limits re-drawn; {mode} estimates)");
        Console.WriteLine(EstimateRun.SideBySide([run with { Label = "(reference)" },
            .. Enumerable.Range(1, seeds).Select(s => EstimateRun.Execute($"s{s}", EstimateRun.Reseeded(scenario, $"s{s}")))]));
    }
}
var seconds = clock.Elapsed.TotalSeconds;
var violations = user.Concat(oracle).Sum(r => r.Violations);
foreach (var line in user.Count == 1 ? Headline.Lines(user[0].Results, seconds, violations) : [])
{
    Console.WriteLine(line);
}
foreach (var line in Headline.EstimateLines(user, oracle, violations))
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
