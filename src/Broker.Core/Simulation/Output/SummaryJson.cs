using System.Text.Json;
using Broker.Core.Simulation.Replay;

namespace Broker.Core.Simulation.Output;

/// <summary>Summaries as indented camelCase JSON: one object, or an array for a comparison.</summary>
public static class SummaryJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string Serialize(ReplaySummary summary) => JsonSerializer.Serialize(summary, Options) + "\n";

    public static string Serialize(IEnumerable<ReplaySummary> summaries) => JsonSerializer.Serialize(summaries.ToArray(), Options) + "\n";
}
