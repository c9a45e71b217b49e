using System.Globalization;
using System.Text;
using Broker.Core.Simulation.Output;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Bench.ReplayOpenb;

/// <summary>Jobs larger than any node or instance (ADR 0012) in one run: how many ran as gangs, where, and how long they waited.</summary>
internal sealed record GangFigures(string Strategy, int Jobs, int Placed, int OnPrem, int Cloud, int Completed, double WaitP50, double WaitP95,
    double WaitMax, double AllJobsWaitP95)
{
    public static GangFigures Of(Scenario scenario, IReadOnlyList<TraceJob> jobs, ReplayResult result)
    {
        var gangs = GangShapes.Gangs(scenario, jobs).Select(j => j.JobId).ToHashSet(StringComparer.Ordinal);
        var first = result.Segments.Where(s => gangs.Contains(s.JobId)).GroupBy(s => s.JobId, StringComparer.Ordinal)
            .Select(g => g.MinBy(s => s.StartS)!).ToArray();
        var completed = result.Segments.Where(s => gangs.Contains(s.JobId) && s.Outcome == Outcomes.Completed)
            .Select(s => s.JobId).Distinct(StringComparer.Ordinal).Count();
        var waits = first.Select(s => (double)(s.StartS - s.SubmitS)).Order().ToArray();
        return new GangFigures(result.Strategy, gangs.Count, first.Length, first.Count(s => s.Location == "onprem"), first.Count(s => s.Location == "cloud"),
            completed, Percentile(waits, 0.5), Percentile(waits, 0.95), waits.DefaultIfEmpty(0).Max(), result.Summary.WaitSeconds.P95);
    }

    public static string Table(IEnumerable<GangFigures> rows)
    {
        var text = new StringBuilder("| strategy | gang jobs | placed | first run on-prem | first run cloud | completed | gang wait p50 | gang wait p95 | gang wait max | all jobs p95 |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var g in rows)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"| {g.Strategy} | {g.Jobs} | {g.Placed} | {g.OnPrem} | {g.Cloud} | {g.Completed} | {ReplayReport.Dur(g.WaitP50)} | {ReplayReport.Dur(g.WaitP95)} | {ReplayReport.Dur(g.WaitMax)} | {ReplayReport.Dur(g.AllJobsWaitP95)} |\n"));
        }
        return text.ToString();
    }

    public IEnumerable<string> Lines(string prefix)
    {
        yield return Line(prefix + "gang_jobs", Jobs) + " (larger than any node or instance of a model they accept)";
        yield return Line(prefix + "gangs_placed", Placed);
        yield return Line(prefix + "gangs_first_run_onprem", OnPrem);
        yield return Line(prefix + "gangs_first_run_cloud", Cloud);
        yield return Line(prefix + "gangs_completed", Completed);
        yield return Line(prefix + "gang_wait_p50_s", WaitP50);
        yield return Line(prefix + "gang_wait_p95_s", WaitP95) + $" (all jobs p95 {AllJobsWaitP95.ToString(CultureInfo.InvariantCulture)} s)";
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Line(string key, IFormattable value) => $"{key}={value.ToString(null, CultureInfo.InvariantCulture)}";
}
