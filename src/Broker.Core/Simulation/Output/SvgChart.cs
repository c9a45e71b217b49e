using System.Globalization;
using System.Text;
using Broker.Core.Simulation.Replay;

namespace Broker.Core.Simulation.Output;

/// <summary>
/// A hand-written SVG with three stacked panels over time (days since the window start): on-prem GPU utilization,
/// pending jobs, and cumulative cloud spend, one coloured line per strategy.
/// </summary>
public static class SvgChart
{
    private const int Width = 960;
    private const int PanelHeight = 200;
    private const int Left = 70;
    private const int Right = 160;
    private const int Top = 40;
    private const int Gap = 50;
    private static readonly string[] Colours = ["#7f7f7f", "#d62728", "#ff7f0e", "#1f77b4", "#2ca02c", "#9467bd"];

    public static string Render(string title, IReadOnlyList<ReplayResult> results)
    {
        var samples = results.SelectMany(r => r.Samples).ToArray();
        var t0 = samples.Length == 0 ? 0 : samples.Min(s => s.TimeS);
        var t1 = samples.Length == 0 ? 1 : Math.Max(t0 + 1, samples.Max(s => s.TimeS));
        var height = Top + 3 * (PanelHeight + Gap);
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Inv($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n"));
        svg.Append(Inv($"<text x=\"{Left}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{Escape(title)}</text>\n"));
        var panels = new (string Label, Func<ReplaySample, double> Value)[]
        {
            ("On-prem GPU utilization", s => s.OnPremUtilization),
            ("Pending jobs", s => s.QueueLength),
            ("Cloud spend so far (USD)", s => (double)s.CloudSpend),
        };
        for (var p = 0; p < panels.Length; p++)
        {
            var top = Top + p * (PanelHeight + Gap);
            var max = Math.Max(p == 0 ? 1 : 1e-9, samples.Length == 0 ? 1 : samples.Max(panels[p].Value));
            Panel(svg, top, panels[p].Label, max, t0, t1);
            for (var r = 0; r < results.Count; r++)
            {
                var points = string.Join(' ', results[r].Samples.Select(s =>
                    Inv($"{X(s.TimeS, t0, t1):0.#},{top + PanelHeight - panels[p].Value(s) / max * PanelHeight:0.#}")));
                svg.Append(Inv($"<polyline fill=\"none\" stroke=\"{Colours[r % Colours.Length]}\" stroke-width=\"1.2\" points=\"{points}\"/>\n"));
            }
        }
        for (var r = 0; r < results.Count; r++)
        {
            var y = Top + 10 + r * 18;
            svg.Append(Inv($"<rect x=\"{Width - Right + 15}\" y=\"{y - 9}\" width=\"12\" height=\"12\" fill=\"{Colours[r % Colours.Length]}\"/>"));
            svg.Append(Inv($"<text x=\"{Width - Right + 32}\" y=\"{y + 1}\">{Escape(results[r].Strategy)}</text>\n"));
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, int top, string label, double max, long t0, long t1)
    {
        var right = Width - Right;
        svg.Append(Inv($"<text x=\"{Left}\" y=\"{top - 8}\" font-weight=\"bold\">{Escape(label)}</text>\n"));
        svg.Append(Inv($"<rect x=\"{Left}\" y=\"{top}\" width=\"{right - Left}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#ccc\"/>\n"));
        foreach (var fraction in new[] { 0.0, 0.5, 1.0 })
        {
            var y = top + PanelHeight - fraction * PanelHeight;
            svg.Append(Inv($"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{max * fraction:0.##}</text>\n"));
        }
        var days = (t1 - t0) / 86400.0;
        var step = days > 20 ? 5 : days > 5 ? 1 : 0.25;
        for (var d = 0.0; d <= days + 1e-9; d += step)
        {
            var x = X(t0 + (long)(d * 86400), t0, t1);
            svg.Append(Inv($"<text x=\"{x:0.#}\" y=\"{top + PanelHeight + 14}\" text-anchor=\"middle\">{d:0.##}d</text>\n"));
        }
    }

    private static double X(long t, long t0, long t1) => Left + (double)(t - t0) / (t1 - t0) * (Width - Right - Left);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
