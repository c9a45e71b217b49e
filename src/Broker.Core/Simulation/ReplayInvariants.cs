namespace Broker.Core.Simulation;

/// <summary>
/// Checks a finished replay against its scenario: no on-prem node ever ran more GPUs than it has; every completed job
/// got exactly its full work (checkpointed progress plus its last run) and no segment claims more work than its length;
/// no spot segment ran through a moment when its availability trace says spot was gone; the runtime model learned only
/// from jobs that had finished, never before they finished, and no job was planned with statistics trained later than
/// the moment it started. Returns the violations found.
/// </summary>
public static class ReplayInvariants
{
    public static IReadOnlyList<string> Check(LoadedScenario scenario, IReadOnlyList<TraceJob> jobs, ReplayResult result)
    {
        var violations = new List<string>();
        CheckNodes(scenario.Scenario, result.Segments, violations);
        CheckWork(scenario.Scenario, jobs, result.Segments, violations);
        CheckSpot(scenario, result, violations);
        CheckLearning(result, violations);
        return violations;
    }

    private static void CheckNodes(Scenario scenario, IReadOnlyList<RunSegment> segments, List<string> violations)
    {
        var capacity = scenario.OnPrem.Nodes
            .SelectMany(g => Enumerable.Range(0, g.Count).Select(i => (g.NodeName(i), g.GpusPerNode)))
            .ToDictionary(n => n.Item1, n => n.GpusPerNode, StringComparer.Ordinal);
        foreach (var node in segments.Where(s => s.Location == "onprem").GroupBy(s => s.Node, StringComparer.Ordinal))
        {
            if (!capacity.TryGetValue(node.Key, out var total))
            {
                violations.Add($"segment on unknown node {node.Key}");
                continue;
            }
            var used = 0;
            foreach (var (time, delta) in node.SelectMany(s => new[] { (s.StartS, s.Gpus), (s.EndS, -s.Gpus) })
                .OrderBy(e => e.Item1).ThenBy(e => e.Item2))
            {
                used += delta;
                if (used > total)
                {
                    violations.Add($"node {node.Key} runs {used} GPUs of {total} at t={time}");
                    break;
                }
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
