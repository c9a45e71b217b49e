using System.Globalization;
using System.Text;
using Broker.Core.Placement;
using Broker.Core.Simulation.Output;
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

    /// <summary>Both runs' cloud spend per job class (<see cref="CloudSpendClasses"/>), side by side, largest first.</summary>
    public static string Breakdown(Scenario scenario, IReadOnlyList<TraceJob> jobs, ReplayResult whole, ReplayResult shared)
    {
        var w = CloudSpendClasses.Of(scenario, jobs, whole);
        var s = CloudSpendClasses.Of(scenario, jobs, shared);
        var none = new ClassSpend(0, 0, 0m);
        var text = new StringBuilder("| job | models | market | why it burst (engine's explanation) | whole: jobs | whole: cloud $ | shared: jobs | shared: cloud $ | shared - whole $ |\n|---|---|---|---|---:|---:|---:|---:|---:|\n");
        foreach (var key in w.Keys.Union(s.Keys).OrderByDescending(k => Math.Max(w.GetValueOrDefault(k, none).Spend, s.GetValueOrDefault(k, none).Spend)))
        {
            var (a, b) = (w.GetValueOrDefault(key, none), s.GetValueOrDefault(key, none));
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"| {key.Shape} | {key.Models} | {key.Market} | {key.Reason} | {a.Jobs} | {a.Spend:0.00} | {b.Jobs} | {b.Spend:0.00} | {b.Spend - a.Spend:+0.00;-0.00;0.00} |\n"));
        }
        return text.ToString();
    }

    /// <summary>
    /// The sharing keys: the fractional jobs' own cloud spend, what sharing could reach (<see cref="SharingHeadroom"/>: the floor
    /// it cannot touch, the saving over the rest, what perfect packing would have placed first order, the GPU time it frees), the
    /// one job with the most cloud spend, the most that billing each cloud tenant only its share could save, both runs' spend and
    /// waits, and the headline ratios last.
    /// </summary>
    public static IEnumerable<string> Lines(Scenario sharedScenario, IReadOnlyList<TraceJob> jobs, ReplayResult wholeRun, ReplayResult sharedRun)
    {
        var (whole, shared) = (wholeRun.Summary, sharedRun.Summary);
        var headroom = SharingHeadroom.Of(sharedScenario.OnPrem, jobs, wholeRun);
        var byId = jobs.ToDictionary(j => j.JobId, StringComparer.Ordinal);
        bool Fractional(RunSegment x) => byId[x.JobId].GpuShare is not null;
        decimal FractionalSpend(ReplayResult run) => CloudSpend(run, Fractional);
        // If several fractional jobs shared one cloud instance and each paid its share (not built): at most this much less.
        var packingBound = CloudRuns(sharedRun).Where(Fractional).Sum(x => x.Cost * (1 - byId[x.JobId].GpuShare!.Value));
        yield return Line("sharing_cloud_spend_fractional_jobs_whole", Math.Round(FractionalSpend(wholeRun), 2)) + " (jobs asking a share, rounded up to a GPU)";
        yield return Line("sharing_cloud_spend_fractional_jobs_shared", Math.Round(FractionalSpend(sharedRun), 2));
        yield return Line("sharing_cloud_spend_floor", Math.Round(headroom.Floor, 2)) + " (whole run: jobs no on-prem node can ever take; sharing cannot touch it)";
        yield return Line("sharing_reachable_saving", Ratio(whole.CloudCost - shared.CloudCost, headroom.Reachable)) + " ((whole - shared) / (whole - floor))";
        yield return Line("sharing_cloud_spend_room_if_packed", Math.Round(headroom.RoomIfPacked, 2))
            + " (whole run, first order: cloud runs whose job had room on an acceptable node during its wait had every fractional job there been packed perfectly)";
        yield return Line("sharing_rounding_waste_gpu_hours", headroom.RoundingWasteGpuHours)
            + string.Create(CultureInfo.InvariantCulture, $" (whole run: GPU-hours fractional jobs held beyond their shares; its cloud runs took {whole.GpuHours.Spot + whole.GpuHours.OnDemand:0} GPU-hours)");
        if (LargestCloudJob(wholeRun, sharedRun) is { } largestJob)
        {
            decimal Without(ReplayResult run) => CloudSpend(run, x => x.JobId != largestJob);
            decimal Only(ReplayResult run) => CloudSpend(run, x => x.JobId == largestJob);
            yield return Line("sharing_cloud_spend_largest_job_whole", Math.Round(Only(wholeRun), 2))
                + string.Create(CultureInfo.InvariantCulture, $" ({largestJob}, {byId[largestJob].Gpus} GPUs, {byId[largestJob].DurationS / 3600.0:0.0} h; the job with the most cloud spend in either run)");
            yield return Line("sharing_cloud_spend_largest_job_shared", Math.Round(Only(sharedRun), 2));
            yield return Line("sharing_cloud_saving_without_largest_job", Ratio(Without(wholeRun) - Without(sharedRun), Without(wholeRun)));
        }
        yield return Line("sharing_cloud_packing_bound", Math.Round(packingBound, 2))
            + " (shared run: fractional jobs' cloud spend x (1 - share), the most per-share billing on shared cloud instances could cut; not built)";
        yield return Line("sharing_cloud_saving_with_packing_bound", Ratio(whole.CloudCost - shared.CloudCost + packingBound, whole.CloudCost));
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

    /// <summary>The job with the most cloud spend over both runs (ties by id); null when neither ran in the cloud.</summary>
    public static string? LargestCloudJob(ReplayResult wholeRun, ReplayResult sharedRun) =>
        CloudRuns(wholeRun).Concat(CloudRuns(sharedRun)).GroupBy(x => x.JobId)
            .Select(g => (Job: g.Key, Spend: g.Sum(x => x.Cost))).OrderByDescending(x => x.Spend).ThenBy(x => x.Job, StringComparer.Ordinal)
            .Select(x => x.Job).FirstOrDefault();

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

    private static IEnumerable<RunSegment> CloudRuns(ReplayResult run) => run.Segments.Where(x => x.Location == "cloud");

    private static decimal CloudSpend(ReplayResult run, Func<RunSegment, bool> which) => CloudRuns(run).Where(which).Sum(x => x.Cost);

    private static double Ratio(decimal part, decimal whole) => whole <= 0 ? 0 : Math.Round((double)(part / whole), 3);

    private static string Line(string key, IFormattable value) => $"{key}={value.ToString(null, CultureInfo.InvariantCulture)}";
}
