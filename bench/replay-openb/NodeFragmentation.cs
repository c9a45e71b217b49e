using System.Globalization;
using System.Text;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation;

namespace Broker.Bench.ReplayOpenb;

/// <summary>
/// Whether fragmentation kept whole nodes busy (issue 14): for every whole-GPU job that needs all of a node wherever it can
/// go (its GPUs equal the GPUs per node of each acceptable model with nodes big enough), every moment it was pending on-prem
/// (its submit or a preemption, then each change of on-prem occupancy until its next run) where no acceptable node had its
/// GPUs idle, yet the runs then on the nodes of one acceptable model, repacked (shares into GPUs, then GPUs into nodes, best
/// fit decreasing; CPU and memory not counted), would have left one node with them. A job counts once, at its first such
/// moment. This is the offline bound of packing (running jobs moved), not an online rule.
/// </summary>
internal static class NodeFragmentation
{
    public sealed record Figures(int WholeNodeJobsPending, int Blocked, int BlockedThenBurst, int BlockedThenWaitedOnPrem, decimal BlockedCloudSpend)
    {
        public IEnumerable<string> Lines(string prefix)
        {
            yield return $"{prefix}whole_node_jobs_pending={WholeNodeJobsPending} (whole-GPU jobs needing all of a node, with a pending spell before an on-prem start or a cloud run)";
            yield return $"{prefix}whole_node_jobs_blocked_by_fragmentation={Blocked} (of them: no acceptable node free, yet the running jobs repacked would have freed one)";
            yield return $"{prefix}whole_node_jobs_blocked_then_burst={BlockedThenBurst}";
            yield return $"{prefix}whole_node_jobs_blocked_then_waited_onprem={BlockedThenWaitedOnPrem}";
            yield return $"{prefix}whole_node_blocked_cloud_spend={Math.Round(BlockedCloudSpend, 2).ToString(CultureInfo.InvariantCulture)}";
        }
    }

    private sealed record Node(string Name, NodeGroup Group);

    private sealed record Item(int Node, string JobId, int Gpus, decimal? Share, int? SharedGpu, long Start, long End);

    public static Figures Of(OnPremFleet fleet, IReadOnlyList<TraceJob> jobs, ReplayResult run)
    {
        var nodes = Nodes(fleet);
        var items = Items(run, nodes);
        var byId = jobs.ToDictionary(j => j.JobId, StringComparer.Ordinal);
        var (pending, blocked, burst, waited, spend) = (0, 0, 0, 0, 0m);
        foreach (var runs in run.Segments.GroupBy(s => s.JobId))
        {
            var job = byId[runs.Key];
            var groups = WholeNodeGroups(job, fleet);
            if (groups is null)
            {
                continue;
            }
            var since = job.SubmitS;
            var counted = false;
            var anyPending = false;
            foreach (var next in runs.OrderBy(s => s.StartS))
            {
                if (next.Location == "cloud" || next.StartS > since)
                {
                    anyPending = true;
                    if (!counted && BlockedDuring(items, nodes, byId, groups, job.Gpus, since, next.StartS))
                    {
                        counted = true;
                        blocked++;
                        if (next.Location == "cloud")
                        {
                            burst++;
                            spend += runs.Where(s => s.Location == "cloud").Sum(s => s.Cost);
                        }
                        else
                        {
                            waited++;
                        }
                    }
                }
                since = next.EndS;
            }
            pending += anyPending ? 1 : 0;
        }
        return new Figures(pending, blocked, burst, waited, spend);
    }

    /// <summary>The job's acceptable nodes at its submit (those of models with nodes big enough): each node's idle GPUs and what runs there.</summary>
    public static string AtSubmit(OnPremFleet fleet, IReadOnlyList<TraceJob> jobs, TraceJob job, ReplayResult run)
    {
        var byId = jobs.ToDictionary(j => j.JobId, StringComparer.Ordinal);
        var nodes = Nodes(fleet);
        var items = Items(run, nodes);
        var at = job.SubmitS;
        var text = new StringBuilder();
        var groups = BigEnough(job, fleet);
        var live = items.Where(i => i.Start <= at && i.End > at && groups.Contains(nodes[i.Node].Group)).ToList();
        var everywhere = items.Where(i => i.Start <= at && i.End > at).ToList();
        for (var n = 0; n < nodes.Length; n++)
        {
            if (!groups.Contains(nodes[n].Group))
            {
                continue;
            }
            var here = live.Where(i => i.Node == n).OrderBy(i => i.SharedGpu ?? -1).ThenBy(i => i.JobId, StringComparer.Ordinal).ToList();
            text.Append(CultureInfo.InvariantCulture, $"  {nodes[n].Name}: {nodes[n].Group.GpusPerNode - WholeGpusHeld(here)} of {nodes[n].Group.GpusPerNode} GPUs idle;");
            foreach (var i in here)
            {
                var what = i.Share is { } s ? $"{s:0.###} of GPU {i.SharedGpu}" : $"{i.Gpus} GPU";
                var before = items.Where(o => o.Start < i.Start && o.End > i.Start).ToList();
                var choice = string.Join(", ", Enumerable.Range(0, nodes.Length).Where(m => Accepts(byId[i.JobId], nodes[m].Group))
                    .Select(m => $"{nodes[m].Name} {nodes[m].Group.GpusPerNode - WholeGpusHeld(before.Where(o => o.Node == m))}"));
                text.Append(CultureInfo.InvariantCulture, $" {i.JobId} ({what}, ends in {(i.End - at) / 3600.0:0.0} h; idle GPUs on its acceptable nodes at its start: {choice})");
            }
            text.Append('\n');
        }
        var packable = groups.Any(g => Packable(live.Where(i => nodes[i.Node].Group == g).ToList(), g.Count, g.GpusPerNode, job.Gpus));
        var evacuable = Enumerable.Range(0, nodes.Length).Where(n => groups.Contains(nodes[n].Group) && Evacuable(everywhere, nodes, byId, n)).Select(n => nodes[n].Name).ToList();
        text.Append(CultureInfo.InvariantCulture, $"  repacked within a model (best fit decreasing) these runs would {(packable ? "" : "not ")}have left a node with {job.Gpus} idle GPUs;"
            + $" nodes whose runs fit in idle room on other nodes they accept: {(evacuable.Count == 0 ? "none" : string.Join(", ", evacuable))}\n");
        return text.ToString();
    }

    /// <summary>The acceptable groups when the job needs a whole node in each (its GPUs equal their node size); null otherwise.</summary>
    private static NodeGroup[]? WholeNodeGroups(TraceJob job, OnPremFleet fleet)
    {
        if (job.GpuShare is not null || job.OnPremRefusal is not null)
        {
            return null;
        }
        var groups = BigEnough(job, fleet);
        return groups.Length > 0 && groups.All(g => g.GpusPerNode == job.Gpus) ? groups : null;
    }

    private static bool BlockedDuring(List<Item> items, Node[] nodes, Dictionary<string, TraceJob> byId, NodeGroup[] groups, int gpus, long from, long to)
    {
        var window = items.Where(i => i.Start <= to && i.End > from).ToList();
        List<Item> everywhereAt(long at) => window.Where(i => i.Start <= at && i.End > at).ToList();
        var relevant = window.Where(i => groups.Contains(nodes[i.Node].Group)).ToList();
        var moments = relevant
            .SelectMany(i => new[] { i.Start, i.End }).Where(t => t > from && t < to).Append(from).Distinct().Order();
        foreach (var at in moments)
        {
            var live = relevant.Where(i => i.Start <= at && i.End > at).ToList();
            var anyIdle = Enumerable.Range(0, nodes.Length).Any(n => groups.Contains(nodes[n].Group)
                && nodes[n].Group.GpusPerNode - WholeGpusHeld(live.Where(i => i.Node == n)) >= gpus);
            if (!anyIdle && (groups.Any(g => Packable(live.Where(i => nodes[i.Node].Group == g).ToList(), g.Count, g.GpusPerNode, gpus))
                || Enumerable.Range(0, nodes.Length).Any(n => groups.Contains(nodes[n].Group) && Evacuable(everywhereAt(at), nodes, byId, n))))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>GPUs a node's runs keep from a whole-GPU job: whole GPUs held plus each GPU opened for sharing.</summary>
    private static int WholeGpusHeld(IEnumerable<Item> here)
    {
        var list = here.ToList();
        return list.Where(i => i.Share is null).Sum(i => i.Gpus) + list.Where(i => i.Share is not null).Select(i => i.SharedGpu).Distinct().Count();
    }

    /// <summary>
    /// True when every run on node <paramref name="n"/> fits, best fit, in idle room on other nodes its job accepts: a whole-GPU
    /// run in idle GPUs of one node, a share on a shared GPU with room or an idle GPU.
    /// </summary>
    private static bool Evacuable(List<Item> live, Node[] nodes, Dictionary<string, TraceJob> byId, int n)
    {
        var idle = new int[nodes.Length];
        var sharedRoom = new List<(int Node, decimal Room)>();
        for (var m = 0; m < nodes.Length; m++)
        {
            var here = live.Where(i => i.Node == m).ToList();
            idle[m] = nodes[m].Group.GpusPerNode - WholeGpusHeld(here);
            sharedRoom.AddRange(here.Where(i => i.Share is not null).GroupBy(i => i.SharedGpu).Select(g => (m, 1m - g.Sum(i => i.Share!.Value))));
        }
        var moving = live.Where(i => i.Node == n).ToList();
        if (moving.Count == 0)
        {
            return false;
        }
        foreach (var item in moving.OrderByDescending(i => i.Share ?? i.Gpus))
        {
            var job = byId[item.JobId];
            bool Takes(int m) => m != n && Accepts(job, nodes[m].Group) && (item.Share is null || nodes[m].Group.ShardsPerGpu > 0);
            if (item.Share is { } share)
            {
                var gpu = sharedRoom.Select((r, k) => (r, k)).Where(x => Takes(x.r.Node) && x.r.Room >= share).OrderBy(x => x.r.Room).Select(x => x.k).DefaultIfEmpty(-1).First();
                if (gpu >= 0)
                {
                    sharedRoom[gpu] = (sharedRoom[gpu].Node, sharedRoom[gpu].Room - share);
                    continue;
                }
                var fresh = Enumerable.Range(0, nodes.Length).Where(m => Takes(m) && idle[m] >= 1).OrderBy(m => idle[m]).DefaultIfEmpty(-1).First();
                if (fresh < 0)
                {
                    return false;
                }
                idle[fresh]--;
                sharedRoom.Add((fresh, 1m - share));
                continue;
            }
            var target = Enumerable.Range(0, nodes.Length).Where(m => Takes(m) && idle[m] >= item.Gpus).OrderBy(m => idle[m]).DefaultIfEmpty(-1).First();
            if (target < 0)
            {
                return false;
            }
            idle[target] -= item.Gpus;
        }
        return true;
    }

    /// <summary>Best fit decreasing: shares into GPUs, then every run's GPUs into the nodes with one node keeping <paramref name="free"/> idle.</summary>
    private static bool Packable(List<Item> live, int nodeCount, int gpusPerNode, int free)
    {
        var shareGpus = new List<decimal>();
        foreach (var share in live.Where(i => i.Share is not null).Select(i => i.Share!.Value).OrderDescending())
        {
            var best = -1;
            for (var g = 0; g < shareGpus.Count; g++)
            {
                if (shareGpus[g] + share <= 1m && (best < 0 || shareGpus[g] > shareGpus[best]))
                {
                    best = g;
                }
            }
            if (best < 0)
            {
                shareGpus.Add(share);
            }
            else
            {
                shareGpus[best] += share;
            }
        }
        var room = Enumerable.Range(0, nodeCount).Select(n => n == 0 ? gpusPerNode - free : gpusPerNode).ToArray();
        foreach (var size in live.Where(i => i.Share is null).Select(i => i.Gpus).Concat(shareGpus.Select(_ => 1)).OrderDescending())
        {
            var best = -1;
            for (var n = 0; n < room.Length; n++)
            {
                if (room[n] >= size && (best < 0 || room[n] < room[best]))
                {
                    best = n;
                }
            }
            if (best < 0)
            {
                return false;
            }
            room[best] -= size;
        }
        return true;
    }

    private static bool Accepts(TraceJob job, NodeGroup group) =>
        job.AcceptsModel(group.GpuModel) && group.GpuMemoryGb >= job.MinGpuMemoryGb;

    /// <summary>The node groups of a model and memory the job accepts with nodes big enough for it.</summary>
    private static NodeGroup[] BigEnough(TraceJob job, OnPremFleet fleet) =>
        fleet.Nodes.Where(g => Accepts(job, g) && g.GpusPerNode >= job.Gpus).ToArray();

    private static Node[] Nodes(OnPremFleet fleet) =>
        [.. fleet.Nodes.SelectMany(g => Enumerable.Range(0, g.Count).Select(i => new Node(g.NodeName(i), g)))];

    private static List<Item> Items(ReplayResult run, Node[] nodes)
    {
        var index = nodes.Select((n, i) => (n.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var items = new List<Item>();
        foreach (var s in run.Segments.Where(s => s.Location == "onprem" && s.EndS > s.StartS))
        {
            var holds = s.Members.Count > 0 ? s.Members.Select(m => (m.Name, m.Gpus)) : [(s.Node, s.Gpus)];
            items.AddRange(holds.Select(h => new Item(index[h.Item1], s.JobId, h.Item2, s.GpuShare, s.SharedGpu, s.StartS, s.EndS)));
        }
        return items;
    }
}
