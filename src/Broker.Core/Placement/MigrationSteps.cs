using System.Globalization;
using Broker.Core.Capacity;

namespace Broker.Core.Placement;

/// <summary>
/// Moves cloud jobs back on-prem (ADR 0009, amendment). It runs after every pending job of the pass has been decided, so it
/// only takes on-prem GPUs the queue left idle (GPUs held for a waiting job stay held: only a run that ends before its holder
/// starts could backfill them). A job moves when all hold: it checkpoints, or it accepts interruption (it may run on spot)
/// and then all its work so far is the rework; it has never moved before;
/// its remaining run is at least twice the rework plus one recheck interval; what the move saves over the remaining run,
/// (cloud price − on-prem rate) × remaining, is at least twice the rework at the cloud price; its deadline is still met
/// when it restarts on-prem now; a node fits it by the rules a pending job is placed by, or, for a job larger than any
/// acceptable node, a gang of idle nodes does (ADR 0012, placed as a pending gang is). Shared and MIG jobs are not moved.
/// The job that saves the most moves first.
/// </summary>
internal static class MigrationSteps
{
    public static IReadOnlyList<MigrationDecision> Decide(PlacementPass pass, IReadOnlyList<RunningCloudJob>? cloudJobs)
    {
        if (cloudJobs is not { Count: > 0 })
        {
            return [];
        }
        var candidates = cloudJobs
            .Select(job => (Job: job, Worth: Worth(pass, job)))
            .Where(c => c.Worth is not null)
            .OrderByDescending(c => c.Worth!.Value.Net)
            .ThenBy(c => c.Job.JobId, StringComparer.Ordinal)
            .ToArray();
        var decisions = new List<MigrationDecision>();
        foreach (var (job, worth) in candidates)
        {
            var pools = pass.OnPrem.PoolsFor(job.AcceptableGpuModels, job.MinGpuMemoryGb, job.OnPremRefusal);
            if (pools.Length == 0)
            {
                continue;
            }
            var run = job.SinceCheckpoint + job.RemainingWork;
            if (pass.OnPrem.Gangs.IsGang(pools, job.Gpus))
            {
                if (pass.OnPrem.Gangs.TryPlaceNow(pools, job.Gpus, run, job.CpuCores, job.MemoryGb) is { } gang)
                {
                    decisions.Add(Move(job, worth!.Value, gang.Members[0].Node, [.. gang.Members.Select(m => m.Node.Name)]));
                }
                continue;
            }
            var node = pass.OnPrem.TryPlaceNow(pools, job.Gpus, run, job.CpuCores, job.MemoryGb);
            if (node is not null)
            {
                decisions.Add(Move(job, worth!.Value, node.Node, null));
            }
        }
        return decisions;
    }

    /// <summary>What moving the job now would save, or null when one of the conditions fails.</summary>
    private static Saving? Worth(PlacementPass pass, RunningCloudJob job)
    {
        TimeSpan? interval = job.CheckpointInterval is { } every && every > TimeSpan.Zero ? every : null;
        if ((interval is null && !job.SpotAllowed) || job.Migrated || job.Gpus < 1)
        {
            return null;
        }
        var rework = job.SinceCheckpoint > TimeSpan.Zero ? job.SinceCheckpoint : TimeSpan.Zero;
        var remaining = job.RemainingWork;
        if (remaining < 2 * (rework + pass.Options.RecheckInterval))
        {
            return null;
        }
        if (job.Deadline is { } deadline && pass.Now + rework + remaining > deadline)
        {
            return null;
        }
        var onPremRate = pass.Policies.For(job.Team).OnPremRatePerGpuHour * job.Gpus;
        var saved = (job.PricePerHour - onPremRate) * (decimal)remaining.TotalHours;
        var reworkCost = job.PricePerHour * (decimal)rework.TotalHours;
        if (saved <= 0 || saved < 2 * reworkCost)
        {
            return null;
        }
        return new Saving(onPremRate, saved, reworkCost, rework, interval);
    }

    private static MigrationDecision Move(RunningCloudJob job, Saving worth, OnPremNode node, IReadOnlyList<string>? members)
    {
        var market = job.Market == CapacityType.Spot ? "spot" : "on-demand";
        var where = members is null ? node.Name : $"gang {string.Join("+", members)}";
        var chosen = Invariant(
            $"migrate to on-prem {where}: {market} ${job.PricePerHour:0.00}/h, {Checkpoints(worth.Interval)}, saves ~${worth.Saved:N0} over the remaining {Hours(job.RemainingWork)} against ~${worth.ReworkCost:N0} of rework ({Hours(worth.Rework)} {(worth.Interval is null ? "of work so far" : "since its last checkpoint")})");
        var stay = new RejectedOption($"stay {market} in the cloud", RejectionReason.Price,
            Invariant($"${job.PricePerHour:0.00}/h against ${worth.OnPremRate:0.00}/h on-prem for the remaining {Hours(job.RemainingWork)}"),
            job.PricePerHour * (decimal)job.RemainingWork.TotalHours);
        return new MigrationDecision(job.JobId, node.Name, job.Gpus, node.GpuModel, worth.OnPremRate, job.PricePerHour, worth.Rework,
            worth.Net, new Explanation(chosen, [stay]), members);
    }

    private static string Checkpoints(TimeSpan? interval) =>
        interval is { } every ? Invariant($"1 checkpoint every {Hours(every)}") : "no checkpoints (it accepts interruption: restarts from the start)";

    private static string Hours(TimeSpan span) =>
        span.TotalHours >= 1 ? Invariant($"{span.TotalHours:0.#}h") : Invariant($"{Math.Round(span.TotalMinutes)}m");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private readonly record struct Saving(decimal OnPremRate, decimal Saved, decimal ReworkCost, TimeSpan Rework, TimeSpan? Interval)
    {
        public decimal Net => Saved - ReworkCost;
    }
}
