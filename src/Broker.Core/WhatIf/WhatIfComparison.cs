using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation;

namespace Broker.Core.WhatIf;

/// <summary>Turns the two replays of a what-if into summaries side by side and one placement pair per job (pure).</summary>
public static class WhatIfComparison
{
    public static WhatIfSummary Summary(ReplaySummary s) => new(
        s.Jobs, s.CloudCost, new MarketCosts(s.OnPremCost, s.CloudSpendByMarket.Spot, s.CloudSpendByMarket.OnDemand),
        s.WaitSeconds.P50, s.WaitSeconds.P95, s.WaitSeconds.P99, s.DeadlineMisses, s.Preemptions, s.OnPremUtilization,
        s.JobsCompleted, s.JobsWithDeadline, s.CloudLaunches, s.FailedSpotLaunches);

    /// <summary>Every job in submit order with its placement in both replays (and in history when known).</summary>
    public static IReadOnlyList<WhatIfChange> Changes(Guid runId, IReadOnlyList<TraceJob> jobs, ReplayResult current, ReplayResult proposed,
        IReadOnlyDictionary<string, WhatIfPlacement>? actual)
    {
        var now = Placements(current);
        var then = Placements(proposed);
        var ordered = jobs.OrderBy(j => j.SubmitS).ThenBy(j => j.JobId, StringComparer.Ordinal).ToArray();
        var changes = new WhatIfChange[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
        {
            var job = ordered[i];
            var a = now.GetValueOrDefault(job.JobId) ?? WhatIfPlacement.None;
            var b = then.GetValueOrDefault(job.JobId) ?? WhatIfPlacement.None;
            changes[i] = new WhatIfChange
            {
                RunId = runId, Seq = i + 1, JobId = job.JobId, Team = job.Team, Changed = a.Where != b.Where,
                Current = WhatIfJson.Write(a), Proposed = WhatIfJson.Write(b),
                Actual = actual is null ? null : WhatIfJson.Write(actual.GetValueOrDefault(job.JobId) ?? WhatIfPlacement.None),
            };
        }
        return changes;
    }

    /// <summary>How many jobs the current-policy replay places where they really ran.</summary>
    public static int MatchesHistory(ReplayResult current, IReadOnlyDictionary<string, WhatIfPlacement> actual, IReadOnlyList<TraceJob> jobs)
    {
        var replayed = Placements(current);
        return jobs.Count(j => (replayed.GetValueOrDefault(j.JobId) ?? WhatIfPlacement.None).Where
            == (actual.GetValueOrDefault(j.JobId) ?? WhatIfPlacement.None).Where);
    }

    /// <summary>
    /// Each job's first segment (the engine's placement decision, and when the job first started) with the number and cost of
    /// all its segments: a spot job that is interrupted and finishes on-demand was placed on spot.
    /// </summary>
    public static Dictionary<string, WhatIfPlacement> Placements(ReplayResult result)
    {
        var byJob = new Dictionary<string, WhatIfPlacement>(StringComparer.Ordinal);
        foreach (var group in result.Segments.GroupBy(s => s.JobId, StringComparer.Ordinal))
        {
            var first = group.OrderBy(s => s.StartS).ThenBy(s => s.EndS).First();
            var cost = Math.Round(group.Sum(s => s.Cost), 6);
            var count = group.Count();
            byJob[group.Key] = first.Location == "onprem"
                ? new WhatIfPlacement("onprem", null, Markets.OnPrem, null, null, null, first.Node, ReplayClock.At(first.StartS), cost, count)
                : new WhatIfPlacement("cloud", first.Provider, first.Market, first.Region, Empty(first.Zone), first.InstanceType, null,
                    ReplayClock.At(first.StartS), cost, count);
        }
        return byJob;
    }

    private static string? Empty(string value) => value.Length == 0 ? null : value;
}
