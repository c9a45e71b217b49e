using System.Text.Json;

namespace Broker.Core.Prediction;

/// <summary>
/// The learned state of the runtime predictor: per group of similar jobs, how many finished and the quantiles of
/// ln(actual / requested) on a fixed grid (<see cref="Grid"/>). Small, plain and JSON-serializable, so it is stored in
/// PostgreSQL as one row per training and every replica predicts from the same state.
/// </summary>
/// <param name="Groups">Key (see <see cref="RuntimeKeys"/>) to group.</param>
/// <param name="LatestCompletedAt">The latest completion among the jobs learned from (null when none).</param>
public sealed record RuntimeStatistics(IReadOnlyDictionary<string, RatioGroup> Groups, int Observations, DateTimeOffset? LatestCompletedAt)
{
    /// <summary>Quantile levels of every group's grid: 0, 0.05, …, 1.</summary>
    public static readonly double[] Grid = Enumerable.Range(0, 21).Select(i => i / 20.0).ToArray();

    public static readonly RuntimeStatistics Empty = new(new Dictionary<string, RatioGroup>(), 0, null);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static RuntimeStatistics FromJson(string json) =>
        JsonSerializer.Deserialize<RuntimeStatistics>(json, Json) ?? Empty;
}

/// <param name="LogRatios">ln(actual / requested) at each level of <see cref="RuntimeStatistics.Grid"/>, non-decreasing, ≤ 0.</param>
public sealed record RatioGroup(int Count, double[] LogRatios);

/// <summary>The hierarchy of groups, from the most general to the most specific.</summary>
public static class RuntimeKeys
{
    public const string Global = "*";

    public static string[] For(string team, string signature, int gpus) =>
        signature.Length == 0
            ? [Global, $"t:{team}", $"tg:{team}|{gpus}"]
            : [Global, $"t:{team}", $"ts:{team}|{signature}", $"tsg:{team}|{signature}|{gpus}"];

    public static string Describe(int level, bool hasSignature) => (level, hasSignature) switch
    {
        (0, _) => "all teams",
        (1, _) => "team",
        (2, false) => "team+gpus",
        (2, true) => "team+signature",
        _ => "team+signature+gpus",
    };
}
