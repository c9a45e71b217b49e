using System.Text.RegularExpressions;

namespace Broker.Core.Costs.Reports;

public enum CostDimension
{
    Team,
    Provider,
    Region,
    Market,
    InstanceType,
    GpuModel,
    Label,
    Day,
    Month,
}

/// <summary>One <c>groupBy</c> term of a cost report: a dimension, or <c>label:&lt;key&gt;</c>.</summary>
public sealed partial record CostGrouping(CostDimension Dimension, string? LabelKey = null)
{
    public const int MaxGroupings = 6;

    public const string Rule = "groupBy takes team, provider, region, market, instanceType, gpuModel, label:<key>, day, month " +
        "(comma-separated or repeated, at most 6, each once).";

    /// <summary>The name as the API spells it, also the CSV column header.</summary>
    public string Name => Dimension switch
    {
        CostDimension.Label => "label:" + LabelKey,
        CostDimension.InstanceType => "instanceType",
        CostDimension.GpuModel => "gpuModel",
        _ => Dimension.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses the terms; null with a message when one is unknown, repeated, or there are too many.</summary>
    public static IReadOnlyList<CostGrouping>? TryParse(IEnumerable<string> values, out string? error)
    {
        var result = new List<CostGrouping>();
        foreach (var term in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            CostGrouping? grouping = term switch
            {
                "team" => new(CostDimension.Team),
                "provider" => new(CostDimension.Provider),
                "region" => new(CostDimension.Region),
                "market" => new(CostDimension.Market),
                "instanceType" => new(CostDimension.InstanceType),
                "gpuModel" => new(CostDimension.GpuModel),
                "day" => new(CostDimension.Day),
                "month" => new(CostDimension.Month),
                _ when term.StartsWith("label:", StringComparison.Ordinal) && LabelKeyPattern().IsMatch(term[6..]) =>
                    new(CostDimension.Label, term[6..]),
                _ => null,
            };
            if (grouping is null || result.Contains(grouping))
            {
                error = grouping is null ? $"Unknown grouping '{Shorten(term)}'. {Rule}" : $"'{term}' is given twice. {Rule}";
                return null;
            }
            result.Add(grouping);
        }
        error = result.Count > MaxGroupings ? Rule : null;
        return error is null ? result : null;
    }

    private static string Shorten(string term) => term.Length <= 40 ? term : term[..40] + "...";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}\z")]
    private static partial Regex LabelKeyPattern();
}
