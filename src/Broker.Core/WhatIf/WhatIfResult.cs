using System.Text.Json.Serialization;

namespace Broker.Core.WhatIf;

/// <summary>Both replays side by side, and how many jobs would be placed elsewhere under the proposal.</summary>
/// <param name="Jobs">Jobs replayed (both runs replay the same ones).</param>
/// <param name="SkippedJobs">Jobs of the window that were never run and cannot run any more (cancelled or failed before a start).</param>
/// <param name="MatchesHistory">Jobs whose current-policy placement is where they were really placed (first segment); null for a stored trace.</param>
/// <param name="SpotModel">How spot availability was modelled, in words (the same in both runs).</param>
public sealed record WhatIfResult(
    WhatIfSummary Current,
    WhatIfSummary Proposed,
    int ChangedJobs,
    int Jobs,
    int SkippedJobs,
    int? MatchesHistory,
    DateTimeOffset WindowFrom,
    DateTimeOffset WindowTo,
    string SpotModel);

/// <summary>The headline figures of one replay. Money in USD, waits in seconds, utilization in [0, 1].</summary>
/// <param name="CloudSpend">Spot plus on-demand.</param>
/// <param name="OnPremUtilization">Busy on-prem GPU time over the fleet's GPU time within the window.</param>
public sealed record WhatIfSummary(
    int Jobs,
    decimal CloudSpend,
    MarketCosts CostByMarket,
    double WaitP50Seconds,
    double WaitP95Seconds,
    double WaitP99Seconds,
    int DeadlineMisses,
    int Preemptions,
    double OnPremUtilization,
    int JobsCompleted,
    int JobsWithDeadline,
    int CloudLaunches,
    int FailedSpotLaunches);

/// <remarks>Keys spelled as the API spells markets everywhere else (<c>onprem</c>, <c>spot</c>, <c>ondemand</c>).</remarks>
public sealed record MarketCosts(
    [property: JsonPropertyName("onprem")] decimal OnPrem,
    [property: JsonPropertyName("spot")] decimal Spot,
    [property: JsonPropertyName("ondemand")] decimal OnDemand);

/// <summary>Where a job is placed (its first segment, started at <see cref="StartedAt"/>) and what all its segments cost.</summary>
/// <param name="Target"><c>onprem</c>, <c>cloud</c>, or <c>none</c> when it never started.</param>
/// <param name="Market"><c>onprem</c>, <c>spot</c> or <c>ondemand</c>; null for none.</param>
public sealed record WhatIfPlacement(
    string Target,
    string? Provider,
    string? Market,
    string? Region,
    string? Zone,
    string? InstanceType,
    string? Node,
    DateTimeOffset? StartedAt,
    decimal? Cost,
    int Segments)
{
    public static WhatIfPlacement None { get; } = new("none", null, null, null, null, null, null, null, 0, 0);

    /// <summary>Where, not when or on which node: two placements differ when this differs.</summary>
    public (string, string?, string?, string?, string?) Where => (Target, Provider, Market, Region, InstanceType);
}
