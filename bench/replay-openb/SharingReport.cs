using System.Globalization;
using System.Text;
using Broker.Core.Placement;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Bench.ReplayOpenb;

/// <summary>
/// The broker on the same trace with whole-GPU rounding and with GPU shares (ADR 0011), side by side: cloud spend, on-prem
/// GPU-hours used, p95 wait and utilization while jobs wait; the sharing saving and wait ratio as headline lines.
/// </summary>
internal static class SharingReport
{
    public static string Table(ReplaySummary whole, ReplaySummary shared)
    {
        var text = new StringBuilder();
        text.Append("| broker on | cloud $ | spot $ | on-demand $ | on-prem GPU-h | on-prem $ | p50 wait | p95 wait | p99 wait | util | util while waiting | deadline misses | cloud launches |\n");
        text.Append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var (label, s) in new[] { ("whole GPUs (gpu_milli rounded up)", whole), ("GPU shares", shared) })
        {
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {s.CloudCost:0.00} | {s.CloudSpendByMarket.Spot:0.00} | {s.CloudSpendByMarket.OnDemand:0.00} | {s.GpuHours.OnPrem:0.0} | {s.OnPremCost:0.00} | {s.WaitSeconds.P50:0} s | {s.WaitSeconds.P95:0} s | {s.WaitSeconds.P99:0} s | {s.OnPremUtilization:0.000} | {s.OnPremUtilizationWhileWaiting:0.000} | {s.DeadlineMisses}/{s.JobsWithDeadline} | {s.CloudLaunches} |\n"));
        }
        return text.ToString();
    }

    public static IEnumerable<string> Lines(ReplaySummary whole, ReplaySummary shared)
    {
        yield return Line("sharing_cloud_spend_whole", whole.CloudCost);
        yield return Line("sharing_cloud_spend_shared", shared.CloudCost);
        yield return Line("sharing_onprem_gpu_hours_whole", whole.GpuHours.OnPrem);
        yield return Line("sharing_onprem_gpu_hours_shared", shared.GpuHours.OnPrem);
        yield return Line("sharing_p95_wait_s_whole", whole.WaitSeconds.P95);
        yield return Line("sharing_p95_wait_s_shared", shared.WaitSeconds.P95);
        yield return Line("sharing_utilization_while_waiting_whole", whole.OnPremUtilizationWhileWaiting);
        yield return Line("sharing_utilization_while_waiting_shared", shared.OnPremUtilizationWhileWaiting) + " (shares counted as their part of a GPU)";
        yield return Line("sharing_p95_wait_ratio", WaitRatio(whole, shared)) + " (shared / whole; target <= 1)";
        yield return Line("sharing_cloud_saving", Saving(whole, shared)) + " (1 - shared / whole cloud spend; target >= 0.30)";
    }

    /// <summary>The broker alone, whole and shared, with every hash-drawn assignment re-seeded: how stable the saving is.</summary>
    public static string Sensitivity(LoadedScenario whole, LoadedScenario shared, int seeds)
    {
        var text = new StringBuilder("| seed | whole cloud $ | shared cloud $ | sharing saving | whole p95 wait | shared p95 wait | p95 ratio |\n|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var seed in Enumerable.Range(1, seeds).Select(s => $"s{s}"))
        {
            var w = Broker(EstimateRun.Reseeded(whole, seed));
            var s = Broker(EstimateRun.Reseeded(shared, seed));
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"| {seed} | {w.CloudCost:0.00} | {s.CloudCost:0.00} | {Saving(w, s):0.000} | {w.WaitSeconds.P95:0} s | {s.WaitSeconds.P95:0} s | {WaitRatio(w, s):0.000} |\n"));
        }
        return text.ToString();
    }

    private static ReplaySummary Broker(LoadedScenario scenario)
    {
        var (window, all) = scenario.ReadJobs();
        var (jobs, _) = GangShapes.Split(scenario.Scenario, all);
        return ReplayRunner.Run(scenario, window, jobs, PlacementStrategies.Broker).Summary;
    }

    private static double Saving(ReplaySummary whole, ReplaySummary shared) => EstimateRun.Saving(shared.CloudCost, whole.CloudCost);

    private static double WaitRatio(ReplaySummary whole, ReplaySummary shared) =>
        whole.WaitSeconds.P95 <= 0 ? (shared.WaitSeconds.P95 <= 0 ? 1 : double.PositiveInfinity) : Math.Round(shared.WaitSeconds.P95 / whole.WaitSeconds.P95, 3);

    private static string Line(string key, IFormattable value) => $"{key}={value.ToString(null, CultureInfo.InvariantCulture)}";
}
