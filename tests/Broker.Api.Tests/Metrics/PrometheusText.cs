using System.Globalization;

namespace Broker.Api.Tests.Metrics;

/// <summary>Reads one sample out of the Prometheus text exposition format.</summary>
public static class PrometheusText
{
    /// <summary>The value of the first sample of <paramref name="metric"/> carrying every given label, or 0 when there is none.</summary>
    public static double Value(string text, string metric, params (string Name, string Value)[] labels)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(metric + "{", StringComparison.Ordinal) && !line.StartsWith(metric + " ", StringComparison.Ordinal))
            {
                continue;
            }
            if (labels.All(l => line.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // name{labels} value [timestamp]
                var value = line.Contains('}', StringComparison.Ordinal)
                    ? line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0]
                    : parts[1];
                return double.Parse(value, CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }
}
