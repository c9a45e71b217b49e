using System.Globalization;
using Broker.Core.Simulation.Replay;

namespace Broker.Core.Simulation.Output;

/// <summary>Writes a replay's files (summary.json, decisions-&lt;strategy&gt;.csv, chart.svg) and renders the comparison table.</summary>
public static class ReplayReport
{
    public static void WriteFiles(string outDir, string title, IReadOnlyList<ReplayResult> results)
    {
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "summary.json"), results.Count == 1
            ? SummaryJson.Serialize(results[0].Summary)
            : SummaryJson.Serialize(results.Select(r => r.Summary)));
        foreach (var result in results)
        {
            using var writer = new StreamWriter(Path.Combine(outDir, $"decisions-{result.Strategy}.csv"), append: false, new System.Text.UTF8Encoding(false));
            DecisionLogCsv.Write(writer, result.Segments);
        }
        File.WriteAllText(Path.Combine(outDir, "chart.svg"), SvgChart.Render(title, results));
    }

    public static string Table(IReadOnlyList<ReplayResult> results)
    {
        var rows = new List<string[]>
        {
            new[] { "strategy", "cloud $", "spot $", "on-demand $", "on-prem $", "util", "util|wait", "wait p50", "wait p95",
                "wait p99", "deadline miss", "preempt", "migrate", "unfinished" },
        };
        rows.AddRange(results.Select(r => r.Summary).Select(s => new[]
        {
            s.Strategy, Money(s.CloudCost), Money(s.CloudSpendByMarket.Spot), Money(s.CloudSpendByMarket.OnDemand), Money(s.OnPremCost),
            Pct(s.OnPremUtilization), Pct(s.OnPremUtilizationWhileWaiting), Dur(s.WaitSeconds.P50), Dur(s.WaitSeconds.P95),
            Dur(s.WaitSeconds.P99), $"{s.DeadlineMisses}/{s.JobsWithDeadline}", Inv(s.Preemptions), Inv(s.Migrations), Inv(s.JobsUnfinished),
        }));
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        return string.Join('\n', rows.Select(r => string.Join("  ", r.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c])))));
    }

    public static string Dur(double seconds) =>
        seconds >= 86400 ? Inv($"{seconds / 86400:0.0}d") : seconds >= 3600 ? Inv($"{seconds / 3600:0.0}h")
        : seconds >= 60 ? Inv($"{seconds / 60:0.0}m") : Inv($"{seconds:0}s");

    private static string Money(decimal value) => value.ToString("#,0.00", CultureInfo.InvariantCulture);

    private static string Pct(double value) => Inv($"{value * 100:0.0}%");

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);
}
