using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;

namespace Broker.Core.Simulation;

/// <summary>
/// Checks a finished replay against its scenario: no on-prem node ever ran more GPUs than it has (whole GPUs plus GPUs
/// holding shares) and no GPU's shares ever add up to more than one GPU; a shared job held at least its share; no gang is
/// split across models, zones or instance types and all its members start and end together; every completed job
/// got exactly its full work (checkpointed progress plus its last run) and no segment claims more work than its length;
/// no spot segment ran through a moment when its availability trace says spot was gone; the runtime model learned only
/// from jobs that had finished, never before they finished, and no job was planned with statistics trained later than
/// the moment it started; a job moved back on-prem at most once, its runs never overlap, and a run ended by a move is billed
/// no further than the move. Returns the violations found.
/// </summary>
public static class ReplayInvariants
{
    public static IReadOnlyList<string> Check(LoadedScenario scenario, IReadOnlyList<TraceJob> jobs, ReplayResult result)
    {
        var violations = new List<string>();
        CheckNodes(scenario.Scenario, result.Segments, violations);
        CheckGangs(scenario.Scenario, result.Segments, violations);
        CheckWork(scenario.Scenario, jobs, result.Segments, violations);
        CheckSpot(scenario, result, violations);
        CheckLearning(result, violations);
        CheckMigrations(result.Segments, violations);
        return violations;
    }

    private static void CheckNodes(Scenario scenario, IReadOnlyList<RunSegment> segments, List<string> violations)
    {
        var capacity = scenario.OnPrem.Nodes
            .SelectMany(g => Enumerable.Range(0, g.Count).Select(i => (g.NodeName(i), g.GpusPerNode)))
            .ToDictionary(n => n.Item1, n => n.GpusPerNode, StringComparer.Ordinal);
        var holds = segments.Where(s => s.Location == "onprem").SelectMany(s => Holds(s).Select(h => (h.Node, h.Gpus, Segment: s)));
        foreach (var node in holds.GroupBy(h => h.Node, StringComparer.Ordinal))
        {
            if (!capacity.TryGetValue(node.Key, out var total))
            {
                violations.Add($"segment on unknown node {node.Key}");
                continue;
            }
            CheckNode(node.Key, total, node.Select(h => (h.Gpus, h.Segment)), violations);
        }
    }

    /// <summary>
    /// Walks one node's starts and ends (ends first at equal times): whole GPUs held plus GPUs holding shares never exceed
    /// the node, and no GPU's shares ever add up to more than one GPU.
    /// </summary>
    private static void CheckNode(string node, int total, IEnumerable<(int Gpus, RunSegment Segment)> holds, List<string> violations)
    {
        var whole = 0;
        var shares = new Dictionary<int, decimal>();
        foreach (var (time, starts, gpus, s) in holds.SelectMany(h => new[] { (h.Segment.StartS, 1, h.Gpus, h.Segment), (h.Segment.EndS, 0, h.Gpus, h.Segment) })
            .OrderBy(e => e.Item1).ThenBy(e => e.Item2))
        {
            var sign = starts == 1 ? 1 : -1;
            if (s.GpuShare is { } share)
            {
                if (s.SharedGpu is not { } gpu || gpu < 0 || gpu >= total || s.Gpus != 1)
                {
                    violations.Add($"shared segment of {s.JobId} on {node} names no GPU of the node");
                    return;
                }
                shares[gpu] = shares.GetValueOrDefault(gpu) + sign * share;
                if (shares[gpu] > 1m + ShareTolerance)
                {
                    violations.Add($"GPU {gpu} of node {node} holds shares adding up to {shares[gpu]:0.####} at t={time}");
                    return;
                }
                if (shares[gpu] <= ShareTolerance)
                {
                    shares.Remove(gpu);
                }
            }
            else
            {
                whole += sign * gpus;
            }
            var used = whole + shares.Count;
            if (used > total)
            {
                violations.Add($"node {node} runs {used} GPUs of {total} at t={time}");
                return;
            }
        }
    }

    private static string Text(decimal? share) => share?.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) ?? "none";

    /// <summary>Shares are exact decimals of shards; this only absorbs the last digit of a repeating fraction (1/3).</summary>
    private const decimal ShareTolerance = 0.000000001m;

    /// <summary>The nodes an on-prem segment holds and the GPUs on each (every member of a gang).</summary>
    private static IEnumerable<(string Node, int Gpus)> Holds(RunSegment s) =>
        s.Members.Count == 0 ? [(s.Node, s.Gpus)] : s.Members.Select(m => (m.Name, m.Gpus));

    /// <summary>
    /// Every gang (ADR 0012): all members start and end with the run; on-prem, distinct nodes of ONE model and memory (the
    /// scenario's, not what the segment claims) with equal GPUs adding up to the job's; in the cloud, instances of the
    /// segment's one type in its one zone, an offer the scenario has, adding up to the job's GPUs.
    /// </summary>
    private static void CheckGangs(Scenario scenario, IReadOnlyList<RunSegment> segments, List<string> violations)
    {
        var nodes = scenario.OnPrem.Nodes.SelectMany(g => Enumerable.Range(0, g.Count).Select(i => (Name: g.NodeName(i), g.GpuModel, g.GpuMemoryGb)))
            .ToDictionary(n => n.Name, n => (n.GpuModel, n.GpuMemoryGb), StringComparer.Ordinal);
        foreach (var s in segments.Where(s => s.Members.Count > 0))
        {
            var gang = $"gang of {s.JobId} at t={s.StartS}";
            foreach (var m in s.Members.Where(m => m.StartS != s.StartS || m.EndS != s.EndS))
            {
                violations.Add($"{gang}: member {m.Name} runs {m.StartS}..{m.EndS}, the gang {s.StartS}..{s.EndS}");
            }
            if (s.Members.Sum(m => m.Gpus) != s.Gpus || s.Members.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count() != s.Members.Count)
            {
                violations.Add($"{gang}: {s.Members.Count} distinct members must hold its {s.Gpus} GPUs");
            }
            if (s.Location == "onprem")
            {
                var pools = s.Members.Select(m => nodes.TryGetValue(m.Name, out var pool) ? $"{pool.GpuModel}/{pool.GpuMemoryGb}GB" : "unknown node")
                    .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
                if (pools.Length != 1 || s.Members.Select(m => m.Gpus).Distinct().Count() != 1)
                {
                    violations.Add($"{gang}: split across models {string.Join(", ", pools)} or unequal members");
                }
                continue;
            }
            var places = s.Members.Select(m => $"{m.Zone}/{m.InstanceType}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var known = scenario.Cloud.Offers.Any(o => o.Provider == s.Provider && o.Region == s.Region && (o.Zone ?? "") == s.Zone
                && o.InstanceType == s.InstanceType);
            if (places.Length != 1 || places[0] != $"{s.Zone}/{s.InstanceType}" || !known)
            {
                violations.Add($"{gang}: split across zones or instance types {string.Join(", ", places)} (the run's offer: {s.Provider}/{s.Region}/{s.Zone}/{s.InstanceType})");
            }
        }
    }

    private static void CheckWork(Scenario scenario, IReadOnlyList<TraceJob> jobs, IReadOnlyList<RunSegment> segments, List<string> violations)
    {
        var byJob = segments.ToLookup(s => s.JobId, StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            var runs = byJob[job.JobId].OrderBy(s => s.StartS).ToArray();
            foreach (var s in runs)
            {
                var startup = s.Location == "cloud" ? scenario.Cloud.StartupS : 0;
                if (s.WorkS > s.EndS - s.StartS - startup && s.WorkS > 0 || s.SavedS > s.WorkS || s.Gpus != job.Gpus)
                {
                    violations.Add($"job {job.JobId}: segment at t={s.StartS} claims {s.WorkS}s of work in {s.EndS - s.StartS}s");
                }
                if (s.Location == "onprem" && (job.GpuShare is { } share ? s.GpuShare is not { } held || held < share : s.GpuShare is not null))
                {
                    violations.Add($"job {job.JobId}: on-prem segment at t={s.StartS} holds share {Text(s.GpuShare)} for a request of {Text(job.GpuShare)}");
                }
            }
            if (runs.Any(s => s.Outcome == Outcomes.Completed) && runs.Sum(s => s.SavedS) != job.DurationS)
            {
                violations.Add($"job {job.JobId}: completed with {runs.Sum(s => s.SavedS)}s of {job.DurationS}s of work");
            }
        }
    }

    private static void CheckSpot(LoadedScenario scenario, ReplayResult result, List<string> violations)
    {
        var origin = result.Summary.WindowStartS;
        foreach (var s in result.Segments.Where(s => s.Market == Markets.Spot))
        {
            if (s.SpotTrace is null || !scenario.SpotTraces.TryGetValue(s.SpotTrace, out var trace))
            {
                violations.Add($"spot segment of {s.JobId} at t={s.StartS} has no availability trace");
                continue;
            }
            var lost = trace.NextUnavailable(s.StartS - origin) + origin;
            if (lost < s.EndS)
            {
                violations.Add($"spot segment of {s.JobId} on {s.InstanceType} runs {s.StartS}..{s.EndS} but spot is gone at t={lost}");
            }
        }
    }

    /// <summary>
    /// A job moves back on-prem at most once (ADR 0009, amendment), and off an on-prem node to free it at most once; its runs never overlap, so it is never billed in two places
    /// at once; a cloud run it left is billed to the move, not to a minimum beyond it.
    /// </summary>
    private static void CheckMigrations(IReadOnlyList<RunSegment> segments, List<string> violations)
    {
        foreach (var job in segments.GroupBy(s => s.JobId, StringComparer.Ordinal))
        {
            var runs = job.OrderBy(s => s.StartS).ThenBy(s => s.EndS).ToArray();
            var moves = runs.Count(s => s.Outcome == Outcomes.Migrated);
            if (moves > 1)
            {
                violations.Add($"job {job.Key} moved back on-prem {moves} times");
            }
            var freeing = runs.Where(s => s.Outcome == Outcomes.Moved).ToArray();
            if (freeing.Length > 1 || freeing.Any(s => s.Location != "onprem"))
            {
                violations.Add($"job {job.Key} moved {freeing.Length} times to free a node (at most one on-prem run may end so)");
            }
            for (var i = 1; i < runs.Length; i++)
            {
                if (runs[i].StartS < runs[i - 1].EndS)
                {
                    violations.Add($"job {job.Key}: run at t={runs[i].StartS} starts before its run at t={runs[i - 1].StartS} ends (t={runs[i - 1].EndS})");
                }
            }
            foreach (var s in runs.Where(s => s.Outcome == Outcomes.Migrated))
            {
                if (s.Location != "cloud" || s.Cost > s.PricePerHour * (s.EndS - s.StartS) / 3600m + 0.01m)
                {
                    violations.Add($"job {job.Key}: migrated run at t={s.StartS} is not a cloud run billed to its end at t={s.EndS}");
                }
            }
        }
    }

    private static void CheckLearning(ReplayResult result, List<string> violations)
    {
        var completedAt = result.Segments.Where(s => s.Outcome == Outcomes.Completed)
            .GroupBy(s => s.JobId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Min(s => s.EndS), StringComparer.Ordinal);
        foreach (var e in result.Learned)
        {
            if (!completedAt.TryGetValue(e.JobId, out var end))
            {
                violations.Add($"runtime model learned from job {e.JobId} at t={e.AtS}, which never completed");
            }
            else if (e.AtS < end)
            {
                violations.Add($"runtime model learned from job {e.JobId} at t={e.AtS}, before it finished at t={end}");
            }
        }
        foreach (var p in result.Predictions.Where(p => p.TrainedAtS > p.AtS))
        {
            violations.Add($"job {p.JobId} started at t={p.AtS} with a runtime model trained at t={p.TrainedAtS}");
        }
    }
}
