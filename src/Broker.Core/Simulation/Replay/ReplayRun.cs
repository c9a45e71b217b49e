using Broker.Core.Placement;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;

namespace Broker.Core.Simulation.Replay;

/// <summary>One replay: the event loop over arrivals, segment ends and placement passes.</summary>
internal sealed partial class ReplayRun
{
    private readonly Scenario scenario;
    private readonly TraceWindow window;
    private readonly IPlacementStrategy strategy;
    private readonly SimJob[] arrivals;
    private readonly Dictionary<string, SimJob> jobsById;
    private readonly SortedDictionary<(long Submit, string Id), SimJob> pending = new(PendingOrder.Instance);
    private readonly SortedDictionary<long, ActiveSegment> running = [];
    private readonly PriorityQueue<ActiveSegment, (long End, long Id)> ends = new();
    private readonly List<RunSegment> segments = [];
    private readonly SortedSet<long> wakeUps = [];
    private readonly SimFleet fleet;
    private readonly SimCloud cloud;
    private readonly ReplayMetrics metrics;
    private readonly ReplayEngineInputs inputs;
    private readonly ReplayRuntimeModel runtimes;
    private readonly long horizon;
    private readonly Action<double>? progress;
    private long nextSegmentId;
    private decimal closedCloudCost;
    private int passes;
    private int failedLaunches;

    /// <param name="progress">Told the share of the window replayed so far (0..1), at most once per arrival; null for none.</param>
    public ReplayRun(LoadedScenario loaded, TraceWindow window, IReadOnlyList<TraceJob> jobs, IPlacementStrategy strategy,
        ReplayEngineInputs inputs, Action<double>? progress = null)
    {
        scenario = loaded.Scenario;
        this.window = window;
        this.strategy = strategy;
        arrivals = jobs.OrderBy(j => j.SubmitS).ThenBy(j => j.JobId, StringComparer.Ordinal).Select(j => new SimJob(j)).ToArray();
        jobsById = arrivals.ToDictionary(j => j.Trace.JobId, StringComparer.Ordinal);
        fleet = new SimFleet(scenario.OnPrem);
        cloud = new SimCloud(loaded, window.StartS);
        metrics = new ReplayMetrics(window, fleet.Capacity, scenario.Simulation.SampleIntervalS);
        this.inputs = inputs;
        this.progress = progress;
        runtimes = new ReplayRuntimeModel(scenario.Estimates);
        horizon = window.EndS + (long)Math.Round(scenario.Simulation.DrainDays * 86400);
    }

    public ReplayResult Execute()
    {
        var interval = scenario.Simulation.PassIntervalS;
        var t = window.StartS;
        var nextArrival = 0;
        var nextPass = long.MaxValue;
        var lastPass = long.MinValue / 2;
        while (true)
        {
            var tArrival = nextArrival < arrivals.Length ? arrivals[nextArrival].Trace.SubmitS : long.MaxValue;
            DropEndedEarly();
            var tEnd = ends.TryPeek(out _, out var key) ? key.End : long.MaxValue;
            var tWake = wakeUps.Count > 0 ? wakeUps.Min : long.MaxValue;
            var next = Math.Min(Math.Min(tArrival, tEnd), Math.Min(nextPass, tWake));
            if (next == long.MaxValue || next > horizon)
            {
                var stop = next == long.MaxValue ? Math.Max(t, LastEnd()) : horizon;
                Advance(t, stop);
                CancelRunning(stop);
                break;
            }
            Advance(t, next);
            t = next;
            var changed = false;
            for (; nextArrival < arrivals.Length && arrivals[nextArrival].Trace.SubmitS == t; nextArrival++)
            {
                AddPending(arrivals[nextArrival]);
                changed = true;
            }
            progress?.Invoke((double)nextArrival / Math.Max(1, arrivals.Length));
            while (ends.TryPeek(out var segment, out key) && key.End == t)
            {
                ends.Dequeue();
                if (running.ContainsKey(segment.Id))
                {
                    Finish(segment, t);
                    changed = true;
                }
            }
            var timed = false;
            while (wakeUps.Count > 0 && wakeUps.Min <= t)
            {
                wakeUps.Remove(wakeUps.Min);
                timed = true;
            }
            if (changed)
            {
                nextPass = Math.Min(nextPass, Math.Max(t, lastPass + interval));
            }
            if (nextPass == t || timed)
            {
                lastPass = t;
                var retryAt = Pass(t);
                nextPass = retryAt == long.MaxValue ? long.MaxValue : Math.Max(retryAt, t + interval);
            }
        }
        return ReplaySummaryBuilder.Build(scenario, window, strategy.Name, arrivals, segments, metrics, fleet.Capacity,
            passes, failedLaunches, horizon, inputs.DefaultPolicy.MaxWaitBeforeBurst.TotalSeconds)
            with { Learned = runtimes.Learned, Predictions = runtimes.Predictions };
    }

    /// <summary>Drops the scheduled ends of segments closed before them (a cloud run ended by a move back on-prem).</summary>
    private void DropEndedEarly()
    {
        while (ends.TryPeek(out var segment, out _) && !running.ContainsKey(segment.Id))
        {
            ends.Dequeue();
        }
    }

    private void AddPending(SimJob job)
    {
        pending.Add((job.Trace.SubmitS, job.Trace.JobId), job);
        fleet.StartsWaiting(job.Pools ??= fleet.PoolsFor(job.Trace), +1);
    }

    private void RemovePending(SimJob job)
    {
        pending.Remove((job.Trace.SubmitS, job.Trace.JobId));
        fleet.StartsWaiting(job.Pools!, -1);
    }

    private long LastEnd() => segments.Count == 0 ? window.StartS : segments.Max(s => s.EndS);

    private void Advance(long from, long to) =>
        metrics.Advance(from, to, fleet, pending.Count, CloudSpendAt);

    private decimal CloudSpendAt(long t) =>
        closedCloudCost + running.Values.Where(s => s.IsCloud).Sum(s => s.PricePerHour * Math.Max(0, t - s.StartS) / 3600m);

    private sealed class PendingOrder : IComparer<(long Submit, string Id)>
    {
        public static readonly PendingOrder Instance = new();

        public int Compare((long Submit, string Id) x, (long Submit, string Id) y)
        {
            var c = x.Submit.CompareTo(y.Submit);
            return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
        }
    }
}
