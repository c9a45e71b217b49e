using System.Globalization;

namespace Broker.Core.Placement;

/// <summary>
/// Frees a node for a pending job that would otherwise go to the cloud by moving running on-prem jobs onto idle GPUs of other
/// on-prem nodes (ADR 0009, session 30 amendment). Decided by expected cost only: the saving is the job's expected cloud cost
/// less its on-prem charge; the cost of each move is its rework (work since its last checkpoint, or all its work in this run
/// when it only accepts interruption) plus one recheck interval of restart, at its on-prem charge. A move happens only when the
/// saving is at least twice the cost of all the moves it needs (the margin of <see cref="MigrationSteps"/>). A job is moved
/// only when: the caller gave its progress; it checkpoints or accepts interruption; it was never moved by this rule; it is
/// under its policy's preemption bound (interruptions and moves); its deadline is still met after the rework; it runs on one
/// node with whole GPUs (not a gang member, not a shared GPU); another node it accepts has the idle GPUs for it. Among the
/// nodes that could be freed, the one needing the fewest moves wins, then the cheapest, then node order.
/// Only a job that wants a whole node (its GPUs are all of the node freed) is placed this way: a smaller job fits where GPUs
/// are idle without freeing a node, and a gang is not placed by freeing nodes (not built).
/// </summary>
internal static class NodeFreeing
{
    /// <summary>
    /// Runs after every pending job had its turn, so the moves only take GPUs the queue left idle (GPUs held for a waiting job
    /// stay held): each cloud decision, largest saving first, becomes an on-prem start on a freed node where that pays.
    /// </summary>
    public static void Revise(PlacementPass pass, IReadOnlyList<PendingJob> pendingJobs, List<PlacementDecision> decisions)
    {
        if (pass.RunningOnPrem.Count == 0 || !pass.RunningOnPrem.Any(r => r.Progress is not null))
        {
            return;
        }
        var byId = pendingJobs.ToDictionary(j => j.JobId, StringComparer.Ordinal);
        var cloud = decisions.Select((d, i) => (Decision: d as CloudDecision, Index: i))
            .Where(c => c.Decision is not null)
            .Select(c => (c.Decision, c.Index, Job: byId[c.Decision!.JobId]))
            .OrderByDescending(c => c.Decision!.ExpectedCost - OnPremCost(pass, c.Job))
            .ThenBy(c => c.Decision!.JobId, StringComparer.Ordinal)
            .ToArray();
        // Built once: a job moved by an earlier revision is skipped by PlanFor.
        var movable = Movable(pass);
        foreach (var (decision, index, job) in cloud)
        {
            if (TryFree(pass, job, pass.OnPrem.PoolsFor(job), decision!.ExpectedCost, movable) is { } freed)
            {
                decisions[index] = freed with
                {
                    Explanation = freed.Explanation with
                    {
                        Rejected = [new RejectedOption(decision.Explanation.Chosen, RejectionReason.Price,
                            Invariant($"expected ${decision.ExpectedCost:0.##} in the cloud"), decision.ExpectedCost)],
                    },
                };
            }
        }
    }

    private static decimal OnPremCost(PlacementPass pass, PendingJob job) =>
        pass.Policies.For(job.Team).OnPremRatePerGpuHour * job.Gpus * (decimal)job.RemainingWork.TotalHours;

    private static OnPremDecision? TryFree(PlacementPass pass, PendingJob job, int[] pools, decimal cloudCost,
        Dictionary<string, List<Candidate>> byNode)
    {
        if (job.GpuShare is not null || job.MigProfile is not null || job.OnPremRefusal is not null || pools.Length == 0
            || pass.OnPrem.Gangs.IsGang(pools, job.Gpus) || pass.RunningOnPrem.Count == 0)
        {
            return null;
        }
        var rate = pass.Policies.For(job.Team).OnPremRatePerGpuHour;
        var saving = cloudCost - OnPremCost(pass, job);
        if (saving <= 0)
        {
            return null;
        }
        Plan? best = null;
        for (var i = 0; i < pass.OnPrem.NodeCount; i++)
        {
            var node = pass.OnPrem.Node(i);
            if (Array.IndexOf(pools, node.Pool) < 0 || node.Total != job.Gpus || !pass.OnPrem.HasFree(node, job.CpuCores, job.MemoryGb)
                || !byNode.TryGetValue(node.Node.Name, out var candidates))
            {
                continue;
            }
            if (PlanFor(pass, node, job.Gpus - node.FreeAt(pass.Now.UtcTicks), candidates) is { } plan
                && 2 * plan.Cost <= saving
                && (best is null || (plan.Moves.Count, plan.Cost, node.Index).CompareTo((best.Moves.Count, best.Cost, best.Node.Index)) < 0))
            {
                best = plan;
            }
        }
        return best is null ? null : Apply(pass, job, best, rate, saving);
    }

    /// <summary>The moves that free <paramref name="needed"/> GPUs on the node, cheapest first, each with an idle node to go to; null when none do.</summary>
    private static Plan? PlanFor(PlacementPass pass, NodeSlots node, int needed, List<Candidate> candidates)
    {
        if (needed <= 0)
        {
            return null;
        }
        var chosen = new List<Candidate>();
        var freed = 0;
        foreach (var c in candidates)
        {
            if (freed >= needed)
            {
                break;
            }
            if (pass.MovedRunning.Contains(c.Job.JobId))
            {
                continue;
            }
            chosen.Add(c);
            freed += c.Job.Gpus;
        }
        if (freed < needed || chosen.GroupBy(c => pass.OnPrem.FreeAtOf(c.Job))
                .Any(g => node.VacatableAt(g.Key) < g.Sum(c => c.Job.Gpus)))
        {
            return null;
        }
        // Where each moved job goes: best fit over the other nodes' GPUs idle now, largest job first.
        var free = new Dictionary<int, int>();
        var moves = new List<(Candidate Move, NodeSlots To)>();
        foreach (var c in chosen.OrderByDescending(c => c.Job.Gpus).ThenBy(c => c.Job.JobId, StringComparer.Ordinal))
        {
            var jobPools = pass.OnPrem.PoolsFor(c.Progress.AcceptableGpuModels, c.Progress.MinGpuMemoryGb, null);
            NodeSlots? to = null;
            var toFree = int.MaxValue;
            for (var i = 0; i < pass.OnPrem.NodeCount; i++)
            {
                var other = pass.OnPrem.Node(i);
                if (other.Index == node.Index || Array.IndexOf(jobPools, other.Pool) < 0)
                {
                    continue;
                }
                var idle = free.TryGetValue(i, out var f) ? f : other.FreeAt(pass.Now.UtcTicks);
                if (idle >= c.Job.Gpus && idle < toFree)
                {
                    (to, toFree) = (other, idle);
                }
            }
            if (to is null)
            {
                return null;
            }
            free[to.Index] = toFree - c.Job.Gpus;
            moves.Add((c, to));
        }
        return new Plan(node, moves, chosen.Sum(c => c.Cost));
    }

    private static OnPremDecision? Apply(PlacementPass pass, PendingJob job, Plan plan, decimal rate, decimal saving)
    {
        foreach (var (move, _) in plan.Moves)
        {
            if (!pass.OnPrem.TryVacate(plan.Node, move.Job))
            {
                return null;
            }
        }
        var words = new List<string>();
        var moves = new List<NodeFreeingMove>();
        foreach (var (move, to) in plan.Moves)
        {
            pass.MovedRunning.Add(move.Job.JobId);
            pass.OnPrem.PlaceOn(to, move.Job.Gpus, move.Progress.SinceCheckpoint + move.Progress.RemainingWork);
            var moveRate = pass.Policies.For(move.Job.Team).OnPremRatePerGpuHour * move.Job.Gpus;
            moves.Add(new NodeFreeingMove(move.Job.JobId, plan.Node.Node.Name, to.Node.Name, move.Job.Gpus, to.Node.GpuModel, moveRate,
                move.Progress.SinceCheckpoint));
            words.Add(Invariant($"{move.Job.JobId} ({move.Job.Gpus} GPU) to {to.Node.Name}, {Hours(move.Progress.SinceCheckpoint)} of rework"));
        }
        pass.OnPrem.PlaceOn(plan.Node, job.Gpus, job.RemainingWork);
        pass.OnPrem.Take(plan.Node, job.CpuCores, job.MemoryGb);
        var chosen = Invariant(
            $"on-prem {plan.Node.Node.Name} ({job.Gpus}x {plan.Node.Node.GpuModel}) freed by moving {string.Join("; ", words)}: saves ~${saving:N0} of cloud cost against ~${plan.Cost:N0} for the moves");
        return new OnPremDecision(job.JobId, plan.Node.Node.Name, job.Gpus, plan.Node.Node.GpuModel, rate * job.Gpus,
            new Explanation(chosen, []), Moves: moves);
    }

    /// <summary>The running jobs that may be moved, by node, cheapest move first (before this pass moved any).</summary>
    private static Dictionary<string, List<Candidate>> Movable(PlacementPass pass)
    {
        var nodesOf = pass.RunningOnPrem.GroupBy(r => r.JobId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var byNode = new Dictionary<string, List<Candidate>>(StringComparer.Ordinal);
        foreach (var running in pass.RunningOnPrem)
        {
            if (running.Progress is not { } p || nodesOf[running.JobId] > 1 || running.Gpus < 1 || p.Moved
                || (p.CheckpointInterval is not { } every || every <= TimeSpan.Zero) && !p.SpotAllowed)
            {
                continue;
            }
            var policy = pass.Policies.For(running.Team);
            var rework = p.SinceCheckpoint > TimeSpan.Zero ? p.SinceCheckpoint : TimeSpan.Zero;
            if (p.Preemptions >= policy.MaxPreemptionsPerJob
                || p.Deadline is { } deadline && pass.Now + pass.Options.RecheckInterval + rework + p.RemainingWork > deadline)
            {
                continue;
            }
            var cost = policy.OnPremRatePerGpuHour * running.Gpus * (decimal)(rework + pass.Options.RecheckInterval).TotalHours;
            if (!byNode.TryGetValue(running.Node, out var list))
            {
                byNode[running.Node] = list = [];
            }
            list.Add(new Candidate(running, p, cost));
        }
        foreach (var list in byNode.Values)
        {
            list.Sort(static (a, b) =>
            {
                var byCost = (a.Cost / a.Job.Gpus).CompareTo(b.Cost / b.Job.Gpus);
                return byCost != 0 ? byCost : string.CompareOrdinal(a.Job.JobId, b.Job.JobId);
            });
        }
        return byNode;
    }

    private static string Hours(TimeSpan span) =>
        span.TotalHours >= 1 ? Invariant($"{span.TotalHours:0.#}h") : Invariant($"{Math.Round(span.TotalMinutes)}m");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Candidate(RunningOnPremJob Job, OnPremProgress Progress, decimal Cost);

    private sealed record Plan(NodeSlots Node, List<(Candidate Move, NodeSlots To)> Moves, decimal Cost);
}
