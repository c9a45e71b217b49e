using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;

namespace Broker.Core.Simulation.Replay;

internal static class ReplaySummaryBuilder
{
    public static ReplayResult Build(Scenario scenario, TraceWindow window, string strategy, IReadOnlyList<SimJob> jobs,
        List<RunSegment> segments, ReplayMetrics metrics, int capacity, int passes, int failedLaunches, long horizon, double policyMaxWaitSeconds)
    {
        var ordered = segments.OrderBy(s => s.StartS).ThenBy(s => s.JobId, StringComparer.Ordinal).ThenBy(s => s.EndS).ToArray();
        var end = ordered.Length == 0 ? window.EndS : Math.Min(horizon, Math.Max(window.EndS, ordered.Max(s => s.EndS)));
        var waits = jobs.Select(j => (double)((j.FirstStartS ?? Math.Max(end, j.Trace.SubmitS)) - j.Trace.SubmitS)).Order().ToArray();
        var withDeadline = jobs.Where(j => j.Trace.DeadlineS is not null).ToArray();
        decimal Cost(string market) => Round(ordered.Where(s => s.Market == market).Sum(s => s.Cost));
        double Hours(string market) => Math.Round(ordered.Where(s => s.Market == market).Sum(s => (double)(s.EndS - s.StartS) * (double)s.GpusHeld) / 3600, 2);
        var spot = Cost(Markets.Spot);
        var onDemand = Cost(Markets.OnDemand);
        var onPrem = Cost(Markets.OnPrem);
        var windowSeconds = window.EndS - window.StartS;
        var summary = new ReplaySummary(
            strategy,
            scenario.Name,
            window.StartS,
            window.EndS,
            jobs.Count,
            jobs.Count(j => j.State == SimJobState.Done),
            jobs.Count(j => j.State != SimJobState.Done),
            onPrem + spot + onDemand,
            onPrem,
            spot + onDemand,
            new MarketSpend(spot, onDemand),
            Round(scenario.OnPrem.RatePerGpuHour * capacity * windowSeconds / 3600m),
            Ratio(metrics.BusyGpuSecondsInWindow, (double)capacity * windowSeconds),
            Ratio(metrics.BusyGpuSecondsWhileWaiting, metrics.WantedGpuSeconds),
            new WaitStats(Percentile(waits, 0.50), Percentile(waits, 0.95), Percentile(waits, 0.99),
                waits.Length == 0 ? 0 : Math.Round(waits.Average(), 1), waits.Length == 0 ? 0 : waits[^1]),
            withDeadline.Length,
            withDeadline.Count(j => j.CompletedS is not { } done || done > j.Trace.DeadlineS),
            ordered.Count(s => s.Outcome == Outcomes.Preempted),
            ordered.Count(s => s.Location == "cloud"),
            failedLaunches,
            new GpuHours(Hours(Markets.OnPrem), Hours(Markets.Spot), Hours(Markets.OnDemand)),
            passes,
            policyMaxWaitSeconds,
            jobs.Select(j => j.Interruptions + j.NodeFreeingMoves).DefaultIfEmpty(0).Max(),
            jobs.Select(j => j.FailedSpotLaunches).DefaultIfEmpty(0).Max(),
            jobs.Select(j => j.BurstPastLimitS ?? 0).DefaultIfEmpty(0).Max())
        {
            Migrations = ordered.Count(s => s.Outcome == Outcomes.Migrated),
            NodeFreeingMoves = ordered.Count(s => s.Outcome == Outcomes.Moved),
        };
        return new ReplayResult(summary, ordered, metrics.Samples.ToArray());
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Ratio(double part, double whole) => whole <= 0 ? 0 : Math.Round(part / whole, 4);

    private static decimal Round(decimal value) => Math.Round(value, 2);
}
