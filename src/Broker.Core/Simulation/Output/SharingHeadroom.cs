using Broker.Core.Placement;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;

namespace Broker.Core.Simulation.Output;

/// <summary>
/// What GPU sharing could reach of a whole-GPU run's cloud spend (issue 14), measured on that run. The floor is the spend of
/// jobs that can never run on-prem (the engine's capacity check finds no node or on-prem gang for them, or their team may
/// not use on-prem): sharing cannot touch it. Of the rest, first order (the run's own on-prem occupancy, no knock-on effects), a cloud run had room
/// if packed when at some moment of its job's wait before it an acceptable node had room for the job with every fractional
/// job there packed perfectly: idle GPUs plus the GPUs the node's rounded-up fractional jobs would free (their count minus
/// the ceiling of their shares' sum, the fewest GPUs any packing needs). The rest of the reachable spend can only move
/// through knock-on effects: GPU time freed earlier changes which later job finds room. The rounding waste is the GPU time
/// sharing frees at most: what the run's fractional jobs held on-prem beyond their shares.
/// </summary>
/// <param name="CloudSpend">The run's cloud spend (its cloud runs' costs summed, unrounded).</param>
/// <param name="NeverOnPrem">Cloud spend of jobs that can never run on-prem: the floor.</param>
/// <param name="RoomIfPacked">Cloud spend of runs whose job would have had room on-prem, first order, with perfect packing.</param>
/// <param name="RoundingWasteGpuHours">GPU-hours held on-prem by fractional jobs beyond their shares.</param>
public sealed record SharingHeadroom(decimal CloudSpend, decimal NeverOnPrem, decimal RoomIfPacked, double RoundingWasteGpuHours)
{
    /// <summary>The spend sharing cannot touch.</summary>
    public decimal Floor => NeverOnPrem;

    public decimal Reachable => CloudSpend - Floor;

    /// <param name="sharedFleet">The fleet with its shard counts (the shared scenario's): a node without shards frees nothing.</param>
    /// <param name="jobs">The trace's jobs with their shares (the shared scenario's jobs).</param>
    /// <param name="whole">The run with every fractional job rounded up to a whole GPU (no segment holds a share).</param>
    public static SharingHeadroom Of(OnPremFleet sharedFleet, IReadOnlyList<TraceJob> jobs, ReplayResult whole)
    {
        if (whole.Segments.Any(s => s.GpuShare is not null))
        {
            throw new ArgumentException("The headroom of sharing is measured on a run without shares.", nameof(whole));
        }
        var byId = jobs.ToDictionary(j => j.JobId, StringComparer.Ordinal);
        var nodes = sharedFleet.Nodes.SelectMany(g => Enumerable.Range(0, g.Count).Select(i => (Name: g.NodeName(i), Group: g))).ToArray();
        var index = nodes.Select((n, i) => (n.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var states = Occupancy(whole.Segments, byId, nodes.Select(n => n.Group).ToArray(), index);
        var onPrem = GangShapes.OnPremCapacity(sharedFleet);
        var times = states.Select(s => s.At).ToArray();
        var (never, roomIfPacked) = (0m, 0m);
        foreach (var runs in whole.Segments.GroupBy(s => s.JobId))
        {
            var job = byId[runs.Key];
            var everOnPrem = job.OnPremRefusal is null && CapacityFeasibility.Check(
                new GpuRequestShape(job.Gpus, job.GpuModels, job.MinGpuMemoryGb, Shared: job.GpuShare is not null), onPrem).Feasible;
            var fits = Enumerable.Range(0, nodes.Length).Where(n => Accepts(job, nodes[n].Group)).ToArray();
            var pendingSince = job.SubmitS;
            foreach (var run in runs.OrderBy(s => s.StartS))
            {
                if (run.Location == "cloud")
                {
                    if (!everOnPrem)
                    {
                        never += run.Cost;
                    }
                    else if (fits.Length > 0 && job.Gpus <= fits.Max(n => nodes[n].Group.GpusPerNode)
                        && RoomDuring(states, times, pendingSince, run.StartS, fits, job, nodes))
                    {
                        roomIfPacked += run.Cost;
                    }
                }
                pendingSince = run.EndS;
            }
        }
        var waste = whole.Segments.Where(s => s.Location == "onprem" && byId[s.JobId].GpuShare is not null)
            .Sum(s => (double)(1 - RoundedShare(byId[s.JobId].GpuShare!.Value, nodes[index[s.Node]].Group)) * (s.EndS - s.StartS) / 3600.0);
        return new SharingHeadroom(whole.Segments.Where(s => s.Location == "cloud").Sum(s => s.Cost), never, roomIfPacked, Math.Round(waste, 1));
    }

    /// <summary>A node of an acceptable model and memory; a fractional job needs one whose GPUs can be shared.</summary>
    private static bool Accepts(TraceJob job, NodeGroup group) =>
        job.AcceptsModel(group.GpuModel)
        && group.GpuMemoryGb >= job.MinGpuMemoryGb
        && (job.GpuShare is null || group.ShardsPerGpu > 0);

    /// <summary>The share a fractional job would reserve on the group's nodes; a whole GPU where they cannot be shared.</summary>
    private static decimal RoundedShare(decimal share, NodeGroup group) =>
        group.ShardsPerGpu > 0 ? SharePacking.ReservedShare(share, group.ShardsPerGpu) : 1m;

    private static bool RoomDuring(NodeState[] states, long[] times, long from, long to, int[] fits, TraceJob job,
        (string Name, NodeGroup Group)[] nodes)
    {
        // The state in force when the job became pending, then every change up to the launch (room grows only at an end).
        var first = Array.BinarySearch(times, from);
        if (~first == 0 || states.Length == 0)
        {
            return true; // nothing ran on-prem yet: every node is idle, and the job fits one
        }
        first = first >= 0 ? first : ~first - 1;
        for (var i = first; i < states.Length && states[i].At <= to; i++)
        {
            foreach (var n in fits)
            {
                var idle = nodes[n].Group.GpusPerNode - states[i].Held[n];
                var fractional = states[i].Fractional[n];
                var shares = states[i].Shares[n];
                var room = job.GpuShare is { } share
                    ? idle + fractional - shares >= share
                    : idle + fractional - (int)Math.Ceiling(shares) >= job.Gpus;
                if (room)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Per node after every moment something started or ended on-prem: GPUs held, fractional jobs holding one whole
    /// GPU each, and the sum of their shares (rounded up to the node's shards).</summary>
    private static NodeState[] Occupancy(IReadOnlyList<RunSegment> segments, Dictionary<string, TraceJob> byId, NodeGroup[] groups,
        Dictionary<string, int> index)
    {
        var changes = new List<(long At, int Node, int Gpus, int Fractional, decimal Share)>();
        foreach (var s in segments.Where(s => s.Location == "onprem" && s.EndS > s.StartS))
        {
            var holds = s.Members.Count > 0 ? s.Members.Select(m => (m.Name, m.Gpus)) : [(s.Node, s.Gpus)];
            foreach (var (name, gpus) in holds)
            {
                var n = index[name];
                var share = byId[s.JobId].GpuShare is { } raw ? RoundedShare(raw, groups[n]) : 1m;
                var rounded = share < 1m;
                changes.Add((s.StartS, n, gpus, rounded ? 1 : 0, rounded ? share : 0m));
                changes.Add((s.EndS, n, -gpus, rounded ? -1 : 0, rounded ? -share : 0m));
            }
        }
        var held = new int[groups.Length];
        var fractional = new int[groups.Length];
        var shares = new decimal[groups.Length];
        var states = new List<NodeState>();
        foreach (var moment in changes.GroupBy(c => c.At).OrderBy(g => g.Key))
        {
            foreach (var c in moment)
            {
                held[c.Node] += c.Gpus;
                fractional[c.Node] += c.Fractional;
                shares[c.Node] += c.Share;
            }
            states.Add(new NodeState(moment.Key, [.. held], [.. fractional], [.. shares]));
        }
        return [.. states];
    }

    private sealed record NodeState(long At, int[] Held, int[] Fractional, decimal[] Shares);
}
