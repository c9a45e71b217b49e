using System.Globalization;
using Broker.Core.Simulation;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using static Broker.Bench.ReplayOpenb.InvariantText;

namespace Broker.Bench.ReplayOpenb;

/// <summary>
/// What not breaking a whole node for a small job could win (issue 13): at the start of every on-demand cloud run of a job
/// that wants whole nodes (as <see cref="DefragPotential"/>), how many acceptable nodes were broken by a small job, i.e. hold
/// a run of fewer GPUs than the node that started on the node while it was wholly idle and is still running at the burst.
/// Had those small jobs gone elsewhere (another node, the cloud or a wait), the node would have been whole unless other jobs
/// joined it later; "sole" counts the nodes where the breaking job is the only one left at the burst (the node would have been
/// whole). Reads the run's segments only: a bound, not a rule.
/// </summary>
internal static class NodeBreakPotential
{
    private sealed record Hold(string JobId, int Gpus, bool Small, long StartS, long EndS);

    public static IEnumerable<string> Lines(string prefix, OnPremFleet fleet, IReadOnlyList<TraceJob> jobs, ReplayResult run)
    {
        var byId = jobs.ToDictionary(j => j.JobId, StringComparer.Ordinal);
        var nodes = fleet.Nodes.SelectMany(g => Enumerable.Range(0, g.Count).Select(i => (Name: g.NodeName(i), Group: g))).ToArray();
        var holds = nodes.ToDictionary(n => n.Name, _ => new List<Hold>(), StringComparer.Ordinal);
        foreach (var s in run.Segments.Where(s => s.Location == "onprem" && s.EndS > s.StartS))
        {
            if (s.Members.Count > 0)
            {
                foreach (var m in s.Members)
                {
                    holds[m.Name].Add(new Hold(s.JobId, m.Gpus, false, s.StartS, s.EndS));
                }
                continue;
            }
            var perNode = nodes.First(n => n.Name == s.Node).Group.GpusPerNode;
            holds[s.Node].Add(new Hold(s.JobId, s.Gpus, s.GpuShare is not null || s.Gpus < perNode, s.StartS, s.EndS));
        }
        // A small run broke its node when nothing else held the node just before it started (runs placed in the same pass on an
        // idle node all count as breaking it).
        bool Breaker(string node, Hold h) => h.Small && holds[node].All(o => ReferenceEquals(o, h) || !(o.StartS < h.StartS && o.EndS > h.StartS));
        var (bursts, spend, broken, brokenSpend, sole, soleSpend, followersFit, followersFitSpend) = (0, 0m, 0, 0m, 0, 0m, 0, 0m);
        var ages = new List<double>();
        foreach (var first in run.Segments.Where(s => s.Market == Markets.OnDemand).GroupBy(s => s.JobId).Select(g => g.OrderBy(s => s.StartS).First()))
        {
            var job = byId[first.JobId];
            var groups = fleet.Nodes.Where(g => job.AcceptsModel(g.GpuModel) && g.GpuMemoryGb >= job.MinGpuMemoryGb).ToArray();
            if (job.GpuShare is not null || groups.Length == 0 || groups.Any(g => job.Gpus % g.GpusPerNode != 0))
            {
                continue;
            }
            bursts++;
            var cost = run.Segments.Where(s => s.JobId == job.JobId && s.Location == "cloud").Sum(s => s.Cost);
            spend += cost;
            var at = first.StartS;
            var acceptable = nodes.Where(n => groups.Contains(n.Group)).ToArray();
            var wanted = job.Gpus / acceptable[0].Group.GpusPerNode;
            var live = acceptable.ToDictionary(n => n.Name, n => holds[n.Name].Where(h => h.StartS <= at && h.EndS > at).ToArray(), StringComparer.Ordinal);
            var idleWhole = live.Count(p => p.Value.Length == 0);
            var brokenHere = live.Where(p => p.Value.Any(h => Breaker(p.Key, h))).ToArray();
            if (idleWhole + brokenHere.Length >= wanted)
            {
                broken++;
                brokenSpend += cost;
                ages.AddRange(brokenHere.Select(p => (at - p.Value.Where(h => Breaker(p.Key, h)).Min(h => h.StartS)) / 3600.0));
            }
            if (idleWhole + brokenHere.Count(p => p.Value.Length == 1) >= wanted)
            {
                sole++;
                soleSpend += cost;
            }
            if (idleWhole + FreedIfFollowersElsewhere(brokenHere, wanted - idleWhole, at) >= wanted)
            {
                followersFit++;
                followersFitSpend += cost;
            }
        }
        ages.Sort();
        // How many of the broken nodes (fewest later jobs first) would be whole had their breaker gone elsewhere and the jobs
        // that joined it later fit in GPUs idle on other nodes at the burst (best fit), up to the nodes wanted.
        int FreedIfFollowersElsewhere(KeyValuePair<string, Hold[]>[] candidates, int needed, long at)
        {
            var idle = nodes.ToDictionary(n => n.Name, n => n.Group.GpusPerNode - holds[n.Name].Where(h => h.StartS <= at && h.EndS > at).Sum(h => h.Gpus), StringComparer.Ordinal);
            var freed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (node, live) in candidates.OrderBy(p => p.Value.Length))
            {
                if (freed.Count >= needed)
                {
                    break;
                }
                var trial = new Dictionary<string, int>(idle, StringComparer.Ordinal);
                var fit = true;
                foreach (var h in live.Where(h => !Breaker(node, h)).OrderByDescending(h => h.Gpus))
                {
                    var target = nodes.Where(n => n.Name != node && !freed.Contains(n.Name) && trial[n.Name] >= h.Gpus && byId[h.JobId].AcceptsModel(n.Group.GpuModel))
                        .OrderBy(n => trial[n.Name]).Select(n => n.Name).FirstOrDefault();
                    if (target is null)
                    {
                        fit = false;
                        break;
                    }
                    trial[target] -= h.Gpus;
                }
                if (fit)
                {
                    idle = trial;
                    freed.Add(node);
                }
            }
            return freed.Count;
        }

        var medianAge = ages.Count == 0 ? 0 : ages[ages.Count / 2];
        yield return Invariant($"{prefix}ondemand_whole_node_jobs={bursts} (their cloud spend ${Math.Round(spend, 0)})");
        yield return Invariant($"{prefix}enough_nodes_if_unbroken={broken} (idle whole nodes plus nodes broken by a small job still running cover the job; their cloud spend ${Math.Round(brokenSpend, 0)}; median age of the break at the burst {Math.Round(medianAge, 1)} h)");
        yield return Invariant($"{prefix}enough_nodes_if_unbroken_later_jobs_fit_elsewhere={followersFit} (the same, counting only broken nodes whose later jobs fit in GPUs idle elsewhere at the burst; their cloud spend ${Math.Round(followersFitSpend, 0)})");
        yield return Invariant($"{prefix}enough_nodes_if_unbroken_sole={sole} (the same, counting only nodes where the breaking job is the only one left; their cloud spend ${Math.Round(soleSpend, 0)})");
    }
}
