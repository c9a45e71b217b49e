using Broker.Core.Scheduling;

namespace Broker.Core.Policies;

/// <summary>
/// A team's policy with every field filled, and where each value comes from: the team's override, the global policy, or
/// configuration (<c>Placement:*</c>, the seed of the global policy).
/// </summary>
public sealed record EffectivePolicy(string Team, PolicyDocument Values, IReadOnlyDictionary<string, string> Sources)
{
    /// <summary>Merges field by field: the team's value, else the global one, else configuration's.</summary>
    public static EffectivePolicy Resolve(string team, PolicyDocument? teamDoc, PolicyDocument globalDoc, PlacementSettings seed)
    {
        var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var config = Seed(seed);
        T Pick<T>(string field, Func<PolicyDocument, T?> get) where T : class
        {
            var (value, source) = teamDoc is not null && get(teamDoc) is { } t ? (t, PolicySources.Team)
                : get(globalDoc) is { } g ? (g, PolicySources.Global) : (get(config)!, PolicySources.Configuration);
            sources[field] = source;
            return value;
        }
        TV? PickValue<TV>(string field, Func<PolicyDocument, TV?> get) where TV : struct
        {
            var (value, source) = teamDoc is not null && get(teamDoc) is { } t ? (t, PolicySources.Team)
                : get(globalDoc) is { } g ? (g, PolicySources.Global) : (get(config), PolicySources.Configuration);
            sources[field] = source;
            return value;
        }
        var caps = new PriceCaps(
            PickValue("maxPricePerGpuHour.spot", d => d.MaxPricePerGpuHour?.Spot),
            PickValue("maxPricePerGpuHour.onDemand", d => d.MaxPricePerGpuHour?.OnDemand));
        var values = new PolicyDocument(
            PickValue("burstingEnabled", d => d.BurstingEnabled),
            Pick("allowedProviders", d => d.AllowedProviders),
            Pick("allowedRegions", d => d.AllowedRegions),
            Pick("markets", d => d.Markets),
            PickValue("maxWaitBeforeBurstMinutes", d => d.MaxWaitBeforeBurstMinutes),
            caps,
            PickValue("maxCloudGpus", d => d.MaxCloudGpus),
            globalDoc.MaxCloudGpusGlobal,
            PickValue("deadlineMarginMinutes", d => d.DeadlineMarginMinutes),
            PickValue("leaseFactor", d => d.LeaseFactor),
            PickValue("fairShareWeight", d => d.FairShareWeight),
            PickValue("maxSlowdown", d => d.MaxSlowdown),
            PickValue("waitPricePerGpuHour", d => d.WaitPricePerGpuHour),
            PickValue("spotEscalateAfter", d => d.SpotEscalateAfter),
            PickValue("maxPreemptionsPerJob", d => d.MaxPreemptionsPerJob));
        sources["maxCloudGpusGlobal"] = globalDoc.MaxCloudGpusGlobal is null ? PolicySources.Configuration : PolicySources.Global;
        return new EffectivePolicy(team, values, sources);
    }

    /// <summary>
    /// The global policy when no version is stored: configuration. The on-prem rate is not a policy field here: it stays in
    /// <c>Placement:OnPremRatePerGpuHour</c> for the engine until the cost ledger owns it.
    /// </summary>
    public static PolicyDocument Seed(PlacementSettings s) => new(
        s.AllowBurst, s.AllowedProviders, s.AllowedRegions,
        s.AllowSpot ? [PolicyMarkets.Spot, PolicyMarkets.OnDemand] : [PolicyMarkets.OnDemand],
        (int)s.MaxWaitBeforeBurst.TotalMinutes, new PriceCaps(s.MaxPricePerGpuHour, s.MaxPricePerGpuHour),
        null, null, 0, null, 1, s.MaxSlowdown, s.WaitPricePerGpuHour, s.SpotEscalateAfter, s.MaxPreemptionsPerJob);

    /// <summary>The engine's view of this policy.</summary>
    public BurstPolicy ToBurstPolicy(decimal onPremRatePerGpuHour)
    {
        var v = Values;
        var markets = v.Markets ?? [];
        var fallback = markets.Contains(PolicyMarkets.SpotWithFallback);
        return new BurstPolicy(Team, v.BurstingEnabled ?? true, v.AllowedProviders ?? [], v.AllowedRegions ?? [],
            AllowSpot: fallback || markets.Contains(PolicyMarkets.Spot), TimeSpan.FromMinutes(v.MaxWaitBeforeBurstMinutes ?? 0),
            MaxPricePerGpuHour: null, onPremRatePerGpuHour,
            AllowOnDemand: fallback || markets.Contains(PolicyMarkets.OnDemand), PreferSpot: fallback,
            MaxSpotPricePerGpuHour: v.MaxPricePerGpuHour?.Spot, MaxOnDemandPricePerGpuHour: v.MaxPricePerGpuHour?.OnDemand,
            MaxCloudGpus: v.MaxCloudGpus, DeadlineMargin: TimeSpan.FromMinutes(v.DeadlineMarginMinutes ?? 0),
            LeaseFactor: v.LeaseFactor, FairShareWeight: v.FairShareWeight ?? 1, MaxSlowdown: v.MaxSlowdown,
            WaitPricePerGpuHour: v.WaitPricePerGpuHour, SpotEscalateAfter: v.SpotEscalateAfter ?? BurstPolicy.DefaultSpotEscalateAfter,
            MaxPreemptionsPerJob: v.MaxPreemptionsPerJob ?? BurstPolicy.DefaultMaxPreemptionsPerJob);
    }
}
