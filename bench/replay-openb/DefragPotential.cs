using System.Globalization;
using Broker.Core.Simulation;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using static Broker.Bench.ReplayOpenb.InvariantText;

namespace Broker.Bench.ReplayOpenb;

/// <summary>
/// What moving running jobs could win (issues 13 and 14): at the start of every on-demand cloud run of a job that wants whole
/// nodes (its GPUs a multiple of the node size of every acceptable model), whether enough GPUs were idle on acceptable nodes,
/// and if so how many running on-prem jobs would have to move off the nodes that need the fewest moves, whether those jobs
/// would fit in idle GPUs on other nodes, and whether they checkpoint (the cheap move), only accept interruption (all their
/// work so far is lost), or neither (they cannot move). Reads the run's segments only: a bound, not a rule.
/// </summary>
internal static class DefragPotential
{
    public static IEnumerable<string> Lines(string prefix, OnPremFleet fleet, IReadOnlyList<TraceJob> jobs, ReplayResult run)
    {
        var byId = jobs.ToDictionary(j => j.JobId, StringComparer.Ordinal);
        var nodes = fleet.Nodes.SelectMany(g => Enumerable.Range(0, g.Count).Select(i => (Name: g.NodeName(i), Group: g))).ToArray();
        var index = nodes.Select((n, i) => (n.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var onPrem = run.Segments.Where(s => s.Location == "onprem" && s.EndS > s.StartS && s.GpuShare is null && s.Members.Count == 0).ToArray();
        var pinned = run.Segments.Where(s => s.Location == "onprem" && s.EndS > s.StartS && (s.GpuShare is not null || s.Members.Count > 0)).ToArray();
        var (submits, enoughIdle, fits, allCheckpoint, allMovable, moves, spend, movableSpend) = (0, 0, 0, 0, 0, 0, 0m, 0m);
        var (noRoomMovable, noRoomSpend) = (0, 0m);
        var moveCounts = new List<int>();
        foreach (var first in run.Segments.Where(s => s.Market == Markets.OnDemand).GroupBy(s => s.JobId).Select(g => g.OrderBy(s => s.StartS).First()))
        {
            var job = byId[first.JobId];
            var groups = fleet.Nodes.Where(g => job.AcceptsModel(g.GpuModel) && g.GpuMemoryGb >= job.MinGpuMemoryGb).ToArray();
            if (job.GpuShare is not null || groups.Length == 0 || groups.Any(g => job.Gpus % g.GpusPerNode != 0))
            {
                continue;
            }
            submits++;
            var at = first.StartS;
            var live = onPrem.Where(s => s.StartS <= at && s.EndS > at).ToArray();
            var held = new int[nodes.Length];
            foreach (var s in live)
            {
                held[index[s.Node]] += s.Gpus;
            }
            foreach (var s in pinned.Where(s => s.StartS <= at && s.EndS > at))
            {
                foreach (var (name, gpus) in s.Members.Count > 0 ? s.Members.Select(m => (m.Name, m.Gpus)) : [(s.Node, 1)])
                {
                    held[index[name]] += gpus;
                }
            }
            var acceptable = Enumerable.Range(0, nodes.Length).Where(n => groups.Contains(nodes[n].Group)).ToArray();
            if (acceptable.Sum(n => nodes[n].Group.GpusPerNode - held[n]) < job.Gpus)
            {
                continue;
            }
            enoughIdle++;
            // The nodes to free: fewest jobs to move first (a node holding a gang member or a shared GPU is not freed).
            var wanted = job.Gpus / nodes[acceptable[0]].Group.GpusPerNode;
            var chosen = acceptable.Where(n => pinned.All(s => !(s.StartS <= at && s.EndS > at && (s.Node == nodes[n].Name || s.Members.Any(m => m.Name == nodes[n].Name)))))
                .OrderBy(n => live.Count(s => s.Node == nodes[n].Name)).ThenBy(n => held[n]).Take(wanted).ToArray();
            if (chosen.Length < wanted)
            {
                continue;
            }
            var moving = live.Where(s => chosen.Contains(index[s.Node])).OrderByDescending(s => s.Gpus).ToArray();
            var idle = Enumerable.Range(0, nodes.Length).Select(n => chosen.Contains(n) ? 0 : nodes[n].Group.GpusPerNode - held[n]).ToArray();
            var fit = true;
            foreach (var s in moving)
            {
                var target = Enumerable.Range(0, nodes.Length).Where(n => idle[n] >= s.Gpus && byId[s.JobId].AcceptsModel(nodes[n].Group.GpuModel))
                    .OrderBy(n => idle[n]).DefaultIfEmpty(-1).First();
                if (target < 0)
                {
                    fit = false;
                    break;
                }
                idle[target] -= s.Gpus;
            }
            moveCounts.Add(moving.Length);
            var cost = run.Segments.Where(s => s.JobId == job.JobId && s.Location == "cloud").Sum(s => s.Cost);
            spend += cost;
            bool Movable(RunSegment s) => byId[s.JobId].CheckpointS is not null || byId[s.JobId].SpotOk;
            if (!fit)
            {
                // Where moving to the cloud (not built) would be the only way: every job to move may be stopped, none fits on-prem.
                if (moving.All(Movable))
                {
                    noRoomMovable++;
                    noRoomSpend += cost;
                }
                continue;
            }
            fits++;
            moves += moving.Length;
            var checkpointing = moving.Count(s => byId[s.JobId].CheckpointS is not null);
            var interruptible = moving.Count(s => byId[s.JobId].CheckpointS is null && byId[s.JobId].SpotOk);
            allCheckpoint += checkpointing == moving.Length ? 1 : 0;
            if (checkpointing + interruptible == moving.Length)
            {
                allMovable++;
                movableSpend += cost;
            }
        }
        moveCounts.Sort();
        var median = moveCounts.Count == 0 ? 0 : moveCounts[moveCounts.Count / 2];
        yield return Invariant($"{prefix}ondemand_whole_node_jobs={submits} (jobs whose first on-demand run wants whole nodes; their cloud spend ${Math.Round(spend, 0)})");
        yield return Invariant($"{prefix}with_enough_idle_gpus={enoughIdle}");
        yield return Invariant($"{prefix}moved_jobs_fit_elsewhere={fits} (median jobs to move {median}, {moves} moves in all)");
        yield return Invariant($"{prefix}all_moved_jobs_checkpoint={allCheckpoint}");
        yield return Invariant($"{prefix}all_moved_jobs_checkpoint_or_interruptible={allMovable} (their cloud spend ${Math.Round(movableSpend, 0)})");
        yield return Invariant($"{prefix}no_room_but_all_moved_jobs_checkpoint_or_interruptible={noRoomMovable} (their cloud spend ${Math.Round(noRoomSpend, 0)}: only a move to the cloud would free the node)");
    }
}
