namespace Broker.Core.Policies;

/// <summary>
/// A policy as ops write it, for the global scope or one team. Every field is optional: a team override names only what it
/// changes, and a field the global policy leaves out comes from configuration (<c>Placement:*</c>). Null means "not named
/// here", never "no limit": a team cannot lift a global cap by sending null.
/// </summary>
/// <param name="Markets">Any of <c>spot</c>, <c>on-demand</c>, or <c>spot-with-on-demand-fallback</c> alone.</param>
/// <param name="MaxCloudGpus">Most cloud GPUs one team may hold at once.</param>
/// <param name="MaxCloudGpusGlobal">Most cloud GPUs Broker may hold over all teams; global scope only.</param>
/// <param name="DeadlineMarginMinutes">Extra slack a deadline job keeps before it leaves spot for on-demand.</param>
/// <param name="MaxSlowdown">A job may burst only once waiting would make (wait + run) / run exceed this (at least 1).</param>
/// <param name="WaitPricePerGpuHour">USD one GPU-hour of waiting costs the team: a job that may burst does so only when the
/// waiting it avoids is worth more than what the cloud costs beyond on-prem.</param>
/// <param name="SpotEscalateAfter">Spot interruptions and failed spot launches in one zone before a job moves elsewhere.</param>
/// <param name="MaxPreemptionsPerJob">Spot interruptions after which a job gets no more spot.</param>
public sealed record PolicyDocument(
    bool? BurstingEnabled = null,
    IReadOnlyList<string>? AllowedProviders = null,
    IReadOnlyList<string>? AllowedRegions = null,
    IReadOnlyList<string>? Markets = null,
    int? MaxWaitBeforeBurstMinutes = null,
    PriceCaps? MaxPricePerGpuHour = null,
    int? MaxCloudGpus = null,
    int? MaxCloudGpusGlobal = null,
    int? DeadlineMarginMinutes = null,
    double? LeaseFactor = null,
    double? FairShareWeight = null,
    double? MaxSlowdown = null,
    decimal? WaitPricePerGpuHour = null,
    int? SpotEscalateAfter = null,
    int? MaxPreemptionsPerJob = null)
{
    public static PolicyDocument Empty { get; } = new();
}

/// <summary>Price caps per market, USD per GPU-hour.</summary>
public sealed record PriceCaps(decimal? Spot = null, decimal? OnDemand = null);

/// <summary>The market words of a policy document.</summary>
public static class PolicyMarkets
{
    public const string Spot = "spot";
    public const string OnDemand = "on-demand";
    public const string SpotWithFallback = "spot-with-on-demand-fallback";

    public static readonly IReadOnlyList<string> All = [Spot, OnDemand, SpotWithFallback];
}

/// <summary>Where an effective value comes from.</summary>
public static class PolicySources
{
    public const string Team = "team";
    public const string Global = "global";
    public const string Configuration = "configuration";
}
