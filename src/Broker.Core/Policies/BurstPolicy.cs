using Broker.Core.Capacity;

namespace Broker.Core.Policies;

/// <summary>What a team allows the broker to do when on-prem GPUs are busy.</summary>
/// <param name="AllowedProviders">Empty means every provider.</param>
/// <param name="AllowedRegions">Empty means every region.</param>
/// <param name="MaxWaitBeforeBurst">The longest a job should queue for on-prem before it bursts to the cloud.</param>
/// <param name="MaxPricePerGpuHour">Cap on what the job pays per GPU it uses per hour, in every market; null for none.</param>
/// <param name="OnPremRatePerGpuHour">Amortized on-prem cost, charged back to the team for finance comparisons.</param>
/// <param name="AllowOnDemand">On-demand instances may be launched.</param>
/// <param name="PreferSpot">Spot with on-demand fallback: on-demand only when no spot option is acceptable.</param>
/// <param name="MaxSpotPricePerGpuHour">Extra cap for spot only; the tighter of it and <see cref="MaxPricePerGpuHour"/> applies.</param>
/// <param name="MaxOnDemandPricePerGpuHour">Extra cap for on-demand only.</param>
/// <param name="MaxCloudGpus">Most cloud GPUs the team may hold at once; null for no cap.</param>
/// <param name="DeadlineMargin">Extra slack a deadline job keeps before it must leave spot for on-demand.</param>
/// <param name="LeaseFactor">Lease of a segment as a multiple of its estimate; null for the lifecycle default.</param>
/// <param name="FairShareWeight">The team's weight in fair-share ordering.</param>
/// <param name="MaxSlowdown">A job may burst only once waiting would stretch (wait + run) / run beyond this; null for no
/// slowdown term (the maximum wait alone decides). See <c>WaitOrBurst</c>.</param>
/// <param name="WaitPricePerGpuHour">What an hour of waiting costs the team per GPU (USD): a job that may burst does so only
/// when the waiting it avoids is worth more than the cloud costs beyond on-prem; null for no price term.</param>
/// <param name="SpotEscalateAfter">Spot interruptions and failed spot launches of a job in one zone before it moves to
/// another zone (twice as many in a region: another region; three times in a provider: another provider).</param>
/// <param name="MaxPreemptionsPerJob">Spot interruptions after which a job is offered no spot at all (on-demand or on-prem).</param>
public sealed record BurstPolicy(
    string Team,
    bool AllowBurst,
    IReadOnlyList<string> AllowedProviders,
    IReadOnlyList<string> AllowedRegions,
    bool AllowSpot,
    TimeSpan MaxWaitBeforeBurst,
    decimal? MaxPricePerGpuHour,
    decimal OnPremRatePerGpuHour,
    bool AllowOnDemand = true,
    bool PreferSpot = false,
    decimal? MaxSpotPricePerGpuHour = null,
    decimal? MaxOnDemandPricePerGpuHour = null,
    int? MaxCloudGpus = null,
    TimeSpan DeadlineMargin = default,
    double? LeaseFactor = null,
    double FairShareWeight = 1,
    double? MaxSlowdown = null,
    decimal? WaitPricePerGpuHour = null,
    int SpotEscalateAfter = BurstPolicy.DefaultSpotEscalateAfter,
    int MaxPreemptionsPerJob = BurstPolicy.DefaultMaxPreemptionsPerJob)
{
    public const int DefaultSpotEscalateAfter = 2;

    public const int DefaultMaxPreemptionsPerJob = 3;

    public bool AllowsProvider(string provider) => AllowedProviders.Count == 0 || ContainsIgnoringCase(AllowedProviders, provider);

    public bool AllowsRegion(string region) => AllowedRegions.Count == 0 || ContainsIgnoringCase(AllowedRegions, region);

    /// <summary>Contains by index: the search asks this for every offer it looks at, and Enumerable.Contains with a comparer
    /// allocates an enumerator each time.</summary>
    private static bool ContainsIgnoringCase(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    public bool AllowsMarket(CapacityType market) => market switch
    {
        CapacityType.Spot => AllowSpot,
        CapacityType.OnDemand => AllowOnDemand,
        _ => true,
    };

    /// <summary>The policy's own cap for one market (USD per GPU-hour), or null for none.</summary>
    public decimal? CapFor(CapacityType market) => Tighter(MaxPricePerGpuHour,
        market == CapacityType.Spot ? MaxSpotPricePerGpuHour : MaxOnDemandPricePerGpuHour);

    internal static decimal? Tighter(decimal? a, decimal? b) => (a, b) switch
    {
        (null, var y) => y,
        (var x, null) => x,
        var (x, y) => Math.Min(x!.Value, y!.Value),
    };
}
