using Broker.Core.Capacity;
using Broker.Core.Costs;
using Broker.Core.Jobs;
using Broker.Core.OnPrem;
using Broker.Core.Persistence;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.WhatIf;

/// <summary>The jobs a what-if replays, and for history where each was really placed first (absent for a job that never started).</summary>
public sealed record WhatIfJobs(TraceWindow Window, IReadOnlyList<TraceJob> Jobs, IReadOnlyDictionary<string, WhatIfPlacement>? Actual,
    int Skipped);

/// <summary>
/// Reads the jobs Broker saw in a window from its own tables: shape, team, deadline, spot permission, checkpointing,
/// priority, price cap, GPU share (a MIG job replays as its one whole GPU: the replay has no MIG slices), the runtime the
/// user asked for (the engine plans with it, never with the truth) and the runtime they really had. Runtime = checkpointed progress kept from earlier segments plus
/// the last started segment's lifetime: the ledger's (Slurm's own clock on-prem) when it was priced, else the allocation's
/// start to end. A job still running replays for the longer of its estimate and what it has run so far; a job that never
/// started but may still run (pending, placed, starting) replays with its estimate; a job that never started and never
/// will (cancelled or failed before a start) is skipped: it asked for nothing that cost anything.
/// </summary>
public sealed class WhatIfHistory(BrokerDbContext db, OnPremTenancy tenancy, TimeProvider clock)
{
    public async Task<WhatIfJobs> LoadAsync(DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var jobs = await db.Jobs.AsNoTracking().Where(j => j.SubmittedAt >= start && j.SubmittedAt < end)
            .OrderBy(j => j.SubmittedAt).ThenBy(j => j.Id)
            .Select(j => new JobRow(j.Id, j.Team, j.State, j.Gpu.Count, j.Gpu.Models, j.Gpu.MinMemoryGb, j.EstimatedDuration, j.Deadline,
                j.Priority, j.SpotAllowed, j.CheckpointInterval, j.MaxPricePerGpuHour, j.SubmittedAt, j.SavedProgress, j.Gpu.Share))
            .ToListAsync(ct);
        var segments = await (from a in db.Allocations
                              join j in db.Jobs on a.JobId equals j.Id
                              where j.SubmittedAt >= start && j.SubmittedAt < end && a.StartedAt != null
                              select new SegmentRow(a.Id, a.JobId, a.StartedAt!.Value, a.EndedAt, a.Market, a.Provider, a.Region, a.Zone,
                                  a.InstanceType, a.Node))
            .ToListAsync(ct);
        var ledger = await (from e in db.CostEntries
                            join j in db.Jobs on e.JobId equals j.Id
                            where j.SubmittedAt >= start && j.SubmittedAt < end && e.Kind == CostEntryKind.Usage
                            group e by e.AllocationId into g
                            select new { g.Key, Start = g.Min(x => x.StartedAt), End = g.Max(x => x.EndedAt) })
            .ToDictionaryAsync(x => x.Key, ct);
        var costByJob = await (from e in db.CostEntries
                               join j in db.Jobs on e.JobId equals j.Id
                               where j.SubmittedAt >= start && j.SubmittedAt < end
                               group e by e.JobId into g
                               select new { g.Key, Cost = g.Sum(x => x.Cost) })
            .ToDictionaryAsync(x => x.Key, x => x.Cost, ct);
        var lastByJob = segments.GroupBy(s => s.JobId).ToDictionary(g => g.Key, g => g.OrderBy(s => s.StartedAt).ThenBy(s => s.Id).ToList());
        var now = clock.GetUtcNow();
        var traceJobs = new List<TraceJob>(jobs.Count);
        var actual = new Dictionary<string, WhatIfPlacement>(StringComparer.Ordinal);
        var skipped = 0;
        foreach (var j in jobs)
        {
            var runs = lastByJob.GetValueOrDefault(j.Id);
            var last = runs?[^1];
            TimeSpan runtime;
            if (last is null)
            {
                if (j.State is JobState.Cancelled or JobState.Failed or JobState.Succeeded)
                {
                    skipped++;
                    continue;
                }
                runtime = j.Estimate;
            }
            else
            {
                var (began, ended) = ledger.TryGetValue(last.Id, out var priced) ? (priced.Start, (DateTimeOffset?)priced.End)
                    : (last.StartedAt, last.EndedAt);
                var ran = (ended ?? now) - began;
                runtime = j.Saved + (ran > TimeSpan.Zero ? ran : TimeSpan.Zero);
                if (ended is null || j.State is JobState.Running or JobState.Starting or JobState.Placed or JobState.Pending)
                {
                    runtime = runtime > j.Estimate ? runtime : j.Estimate;
                }
                actual[j.Id.ToString()] = Placement(runs![0], runs.Count, costByJob.GetValueOrDefault(j.Id));
            }
            traceJobs.Add(ToTrace(j, runtime));
        }
        var window = new TraceWindow(start.ToUnixTimeSeconds(), end.ToUnixTimeSeconds());
        return new WhatIfJobs(window, traceJobs, actual, skipped);
    }

    private TraceJob ToTrace(JobRow j, TimeSpan runtime)
    {
        if (j.Gpus < 1 || j.Estimate < TimeSpan.Zero || runtime < TimeSpan.Zero)
        {
            throw new WhatIfInputException($"job {j.Id} is corrupt: {j.Gpus} GPUs, estimate {j.Estimate}, runtime {runtime}");
        }
        var runtimeS = Math.Max(1, (long)Math.Round(runtime.TotalSeconds));
        // The engine replays with what the user asked for, as it did live; a run longer than its estimate (Slurm's limit
        // has a margin) raises the limit to what really ran, as the scenario replays do (UserEstimates).
        var limitS = Math.Max(runtimeS, (long)Math.Ceiling(j.Estimate.TotalSeconds));
        return new TraceJob(j.Id.ToString(), j.Team, j.SubmittedAt.ToUnixTimeSeconds(), runtimeS,
            j.Gpus, [.. j.Models.Select(GpuModels.Normalize)], j.Deadline?.ToUnixTimeSeconds(), j.SpotAllowed,
            j.Checkpoint is { } c && c > TimeSpan.Zero ? (long)Math.Max(1, c.TotalSeconds) : null, j.Priority, j.MinMemoryGb ?? 0,
            j.MaxPrice, tenancy.RefusalFor(j.Team), LimitS: limitS, GpuShare: j.Share);
    }

    private static WhatIfPlacement Placement(SegmentRow s, int segments, decimal? cost) => s.Market == CapacityType.OnPrem
        ? new WhatIfPlacement("onprem", null, "onprem", null, null, null, s.Node, s.StartedAt, cost, segments)
        : new WhatIfPlacement("cloud", s.Provider, s.Market == CapacityType.Spot ? "spot" : "ondemand", s.Region, s.Zone, s.InstanceType,
            null, s.StartedAt, cost, segments);

    private sealed record JobRow(Guid Id, string Team, JobState State, int Gpus, List<string> Models, int? MinMemoryGb, TimeSpan Estimate,
        DateTimeOffset? Deadline, int Priority, bool SpotAllowed, TimeSpan? Checkpoint, decimal? MaxPrice, DateTimeOffset SubmittedAt,
        TimeSpan Saved, decimal? Share);

    private sealed record SegmentRow(Guid Id, Guid JobId, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, CapacityType Market,
        string Provider, string? Region, string? Zone, string? InstanceType, string? Node);
}

/// <summary>Stored job traces ops allow by name (generic CSV); a request names one and never a path.</summary>
public sealed class WhatIfTraces(WhatIfSettings settings)
{
    public IReadOnlyList<string> Names => [.. settings.Traces.Keys.Order(StringComparer.Ordinal)];

    public bool Exists(string name) => settings.Traces.ContainsKey(name);

    public WhatIfJobs Load(string name)
    {
        var path = settings.Traces.GetValueOrDefault(name) ?? throw new WhatIfInputException($"stored trace '{name}' is not configured");
        try
        {
            using var reader = new StreamReader(path);
            var all = GenericCsvTrace.Read(reader, $"stored trace '{name}'");
            var window = TraceWindow.For(new TimeWindow(), all);
            return new WhatIfJobs(window, window.Select(all), null, 0);
        }
        catch (TraceFormatException e)
        {
            throw new WhatIfInputException($"stored trace '{name}' is corrupt: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The message would name a server path: say what failed, not where.
            throw new WhatIfInputException($"stored trace '{name}' cannot be read ({e.GetType().Name})", e);
        }
    }
}
