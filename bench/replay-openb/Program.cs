using System.Diagnostics;
using Broker.Bench.ReplayOpenb;
using Broker.Core.Placement;
using Broker.Core.Simulation.Output;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

// replay-openb [--scenario FILE]... [--shared FILE] [--gangs FILE] [--out DIR] [--seeds N]: all four strategies with the
// scenario's user estimates and with oracle estimates side by side, a sensitivity table over hash seeds; with --shared the
// broker on the (single) scenario with whole GPUs and on FILE, the same with GPU shares, side by side; with --gangs the
// gang jobs of FILE (placed, where, waits); headline key=value lines last. Without --scenario: openb-hybrid with
// --shared openb-shared, and the held-out scenarios (openb-default, openb-early) with user and oracle estimates, no seeds,
// printed as heldout_* keys.
var scenarioPaths = new List<string>();
string? sharedPath = null;
string? gangsPath = null;
var heldOutPaths = new List<string>();
var outDir = "replay-openb-out";
var seeds = 5;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--scenario" when i + 1 < args.Length: scenarioPaths.Add(args[++i]); break;
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        case "--shared" when i + 1 < args.Length: sharedPath = args[++i]; break;
        case "--gangs" when i + 1 < args.Length: gangsPath = args[++i]; break;
        case "--seeds" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n >= 0: seeds = n; i++; break;
        default:
            Console.Error.WriteLine("usage: replay-openb [--scenario FILE]... [--shared FILE] [--gangs FILE] [--out DIR] [--seeds N]");
            return 2;
    }
}
if (scenarioPaths.Count == 0)
{
    scenarioPaths.Add(Path.Combine(RepoRoot(), "scenarios", "openb-hybrid.json"));
    sharedPath ??= Path.Combine(RepoRoot(), "scenarios", "openb-shared.json");
    heldOutPaths.AddRange(HeldOut.DefaultScenarios.Select(name => Path.Combine(RepoRoot(), "scenarios", name + ".json")));
}
if (sharedPath is not null && scenarioPaths.Count != 1)
{
    Console.Error.WriteLine("--shared compares with exactly one --scenario (its whole-GPU counterpart)");
    return 2;
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
    Console.WriteLine($"scenario {name} ({path}): {run.Jobs.Count} jobs replayed, {GangShapes.Gangs(scenario.Scenario, run.Jobs).Count} of them gang-sized ({GangShapes.Describe(GangShapes.Gangs(scenario.Scenario, run.Jobs))}); unplaceable (no node, node gang, instance or instance gang could ever hold them): {run.Unplaceable.Count} ({GangShapes.Describe(run.Unplaceable)}); wrote {Path.GetFullPath(dir)}");
    Console.WriteLine($"\n{name}, {mode} estimates:\n{ReplayReport.Table(run.Results)}");
    Console.WriteLine($"{name}, oracle estimates:\n{ReplayReport.Table(truth.Results)}");
    Console.WriteLine($"{name}: the cost of not knowing runtimes (broker's plans at each job's first start; errors relative to the actual runtime)\n{EstimateRun.SideBySide([run, truth])}");
    EstimateRun[] draws = [run with { Label = "(reference)" },
        .. Enumerable.Range(1, seeds).Select(s => EstimateRun.Execute($"s{s}", EstimateRun.Reseeded(scenario, $"s{s}")))];
    if (seeds > 0)
    {
        Console.WriteLine($"{name}: sensitivity over hash seeds (teams, deadlines, checkpointing and user limits re-drawn; {mode} estimates)");
        Console.WriteLine(EstimateRun.SideBySide(draws));
    }
    Console.WriteLine($"{name}: how little cloud the trace needs at best (clairvoyant fluid reference, {mode} estimates; oracle estimates: the same jobs, so the same reference)\n{FluidReport.Table(draws)}");
}
var extraLines = new List<string>();
var extraViolations = 0;
foreach (var run in user)
{
    extraLines.AddRange(DefragPotential.Lines($"defrag_potential_{run.Scenario.Scenario.Name}_", run.Scenario.Scenario.OnPrem, run.Jobs, run.Broker));
    extraLines.AddRange(NodeBreakPotential.Lines($"node_break_potential_{run.Scenario.Scenario.Name}_", run.Scenario.Scenario.OnPrem, run.Jobs, run.Broker));
}
if (sharedPath is not null)
{
    var whole = user[0];
    var sharedScenario = ScenarioLoader.Load(sharedPath);
    var shared = EstimateRun.Execute(whole.Label, sharedScenario);
    extraViolations += shared.Violations;
    var sharedName = sharedScenario.Scenario.Name;
    ReplayReport.WriteFiles(Path.Combine(outDir, sharedName), $"{sharedName}: on-prem utilization, queue and cloud spend by strategy", shared.Results);
    Console.WriteLine($"\n{sharedName} ({sharedPath}): {shared.Jobs.Count(j => j.GpuShare is not null)} of {shared.Jobs.Count} jobs ask for a share of one GPU; all strategies:\n{ReplayReport.Table(shared.Results)}");
    Console.WriteLine($"\nthe broker with whole GPUs ({whole.Scenario.Scenario.Name}) and with GPU shares ({sharedName}), {whole.Label} estimates, same run:\n{SharingReport.Table(whole.Of(PlacementStrategies.Broker), shared.Of(PlacementStrategies.Broker))}");
    if (seeds > 0)
    {
        Console.WriteLine($"sharing saving over hash seeds (teams, deadlines, checkpointing and user limits re-drawn; broker only):\n{SharingReport.Sensitivity(whole.Scenario, sharedScenario, seeds)}");
    }
    Console.WriteLine($"\nwhere the broker's cloud spend goes, whole GPUs and GPU shares (jobs classed by what they ask in {sharedName}):\n{SharingReport.Breakdown(sharedScenario.Scenario, shared.Jobs, whole.Broker, shared.Broker)}");
    var fleet = sharedScenario.Scenario.OnPrem;
    if (SharingReport.LargestCloudJob(whole.Broker, shared.Broker) is { } largest)
    {
        var job = shared.Jobs.Single(j => j.JobId == largest);
        Console.WriteLine($"\n{largest}'s acceptable nodes at its submit, whole GPUs:\n{NodeFragmentation.AtSubmit(fleet, shared.Jobs, job, whole.Broker)}GPU shares:\n{NodeFragmentation.AtSubmit(fleet, shared.Jobs, job, shared.Broker)}");
    }
    extraLines.AddRange(NodeFragmentation.Of(fleet, shared.Jobs, whole.Broker).Lines("fragmentation_whole_"));
    extraLines.AddRange(NodeFragmentation.Of(fleet, shared.Jobs, shared.Broker).Lines("fragmentation_shared_"));
    extraLines.AddRange(SharingReport.Lines(sharedScenario.Scenario, shared.Jobs, whole.Broker, shared.Broker));
    extraLines.AddRange(DefragPotential.Lines($"defrag_potential_{sharedName}_", fleet, shared.Jobs, shared.Broker));
    extraLines.AddRange(NodeBreakPotential.Lines($"node_break_potential_{sharedName}_", fleet, shared.Jobs, shared.Broker));
}
if (gangsPath is not null)
{
    var gangScenario = ScenarioLoader.Load(gangsPath);
    var gangs = EstimateRun.Execute(gangScenario.Scenario.Estimates?.Mode ?? EstimateModes.Oracle, gangScenario);
    extraViolations += gangs.Violations;
    var gangName = gangScenario.Scenario.Name;
    ReplayReport.WriteFiles(Path.Combine(outDir, gangName), $"{gangName}: on-prem utilization, queue and cloud spend by strategy", gangs.Results);
    var figures = gangs.Results.Select(r => GangFigures.Of(gangScenario.Scenario, gangs.Jobs, r)).ToArray();
    Console.WriteLine($"\n{gangName} ({gangsPath}): {gangs.Jobs.Count} jobs, unplaceable {gangs.Unplaceable.Count} ({GangShapes.Describe(gangs.Unplaceable)}); all strategies:\n{ReplayReport.Table(gangs.Results)}");
    Console.WriteLine($"\n{gangName}: jobs larger than any node or instance, run as gangs:\n{GangFigures.Table(figures)}");
    extraLines.AddRange(figures.Single(f => f.Strategy == PlacementStrategies.Broker).Lines("gangs."));
    extraLines.Add($"gangs.cloud_spend_broker={gangs.Of(PlacementStrategies.Broker).CloudCost.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    extraLines.Add($"gangs.invariant_violations={gangs.Violations}");
}
var heldOutClock = Stopwatch.StartNew();
foreach (var path in heldOutPaths)
{
    var heldOut = HeldOut.Run(ScenarioLoader.Load(path));
    extraViolations += heldOut.Violations;
    Console.WriteLine($"\nheld-out {heldOut.Name} ({path}): the cost of not knowing runtimes\n{EstimateRun.SideBySide([heldOut.User, heldOut.Oracle])}");
    extraLines.AddRange(heldOut.Lines());
}
if (heldOutPaths.Count > 0)
{
    extraLines.Add($"heldout_replay_seconds={Math.Round(heldOutClock.Elapsed.TotalSeconds, 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}");
}
var seconds = clock.Elapsed.TotalSeconds;
var violations = user.Concat(oracle).Sum(r => r.Violations) + extraViolations;
foreach (var line in user.Count == 1 ? Headline.Lines(user[0].Results, seconds, violations) : [])
{
    Console.WriteLine(line);
}
extraLines.AddRange(FluidReport.Lines(user));
foreach (var line in Headline.EstimateLines(user, oracle, violations).Concat(extraLines))
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
