using Broker.Core.Placement;
using Broker.Core.Simulation.Scenarios;

namespace Broker.Core.Simulation.Replay;

/// <summary>
/// The simulated cloud: the scenario's offers, their spot availability traces, and spot markets blocked for a while
/// after an interruption or a failed launch (what the real UnavailableOfferCache does). Offers are numbered in
/// scenario order.
/// </summary>
internal sealed class SimCloud
{
    private readonly ScenarioOffer[] offers;
    private readonly SpotAvailabilityTrace?[] traces;
    private readonly long[] spotBlockedUntil;
    private readonly Dictionary<string, int> indexById;
    private readonly CloudMarket market;
    private readonly long origin;

    /// <param name="origin">The trace second that lines up with tick 0 of every spot trace (the window start).</param>
    public SimCloud(LoadedScenario scenario, long origin)
    {
        this.origin = origin;
        market = scenario.Scenario.Cloud;
        offers = market.Offers.ToArray();
        traces = offers.Select(o => o.SpotTrace is { } key ? scenario.SpotTraces[key] : null).ToArray();
        spotBlockedUntil = new long[offers.Length];
        indexById = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < offers.Length; i++)
        {
            indexById.TryAdd(ToOffer(i, 0).Id, i);
        }
    }

    public IReadOnlyList<CloudOffer> Snapshot(long t) => Enumerable.Range(0, offers.Length).Select(i => ToOffer(i, t)).ToArray();

    public int IndexOf(CloudOffer offer) => indexById[offer.Id];

    public ScenarioOffer Offer(int index) => offers[index];

    public SpotAvailabilityTrace? Trace(int index) => traces[index];

    public bool SpotAvailable(int index, long t) => traces[index]?.IsAvailable(t - origin) ?? false;

    /// <summary>When spot capacity of this offer next disappears at or after t, or null when it never does.</summary>
    public long? NextSpotLoss(int index, long t) => traces[index]?.NextUnavailable(t - origin) + origin;

    public void BlockSpot(int index, long t) => spotBlockedUntil[index] = Math.Max(spotBlockedUntil[index], t + market.BlockTtlS);

    private const string SpotBlockedReason = "spot capacity error or interruption in the last block TTL";

    private CloudOffer ToOffer(int i, long t)
    {
        var o = offers[i];
        var rate = traces[i]?.InterruptionRate(t - origin, market.SpotRateWindowS) ?? 0;
        var blocked = spotBlockedUntil[i] > t ? SpotBlockedReason : null;
        return new CloudOffer(o.Provider, o.Region, o.Zone, o.InstanceType, o.GpuModel, o.Gpus, o.GpuMemoryGb,
            o.OnDemandPerHour, o.SpotPerHour, rate, null, blocked);
    }
}
