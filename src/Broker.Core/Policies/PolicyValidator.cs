using System.Globalization;
using Broker.Core.Capacity;
using Broker.Core.Errors;

namespace Broker.Core.Policies;

/// <summary>An offer as policy validation sees it: where it runs and its price per GPU-hour in each market.</summary>
public sealed record PolicyOffer(string Provider, string Region, decimal OnDemandPerGpuHour, decimal? SpotPerGpuHour);

/// <summary>
/// Checks a policy document as a whole, together with what it inherits (its effective policy) and the offers Broker
/// knows: every broken rule names its field and the reason, and all of them are reported at once (422).
/// </summary>
public sealed class PolicyValidator(IReadOnlyList<PolicyOffer> offers)
{
    private const int MaxListItems = 64;

    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public void Validate(string scope, PolicyDocument doc, EffectivePolicy effective)
    {
        errors.Clear();
        var isGlobal = scope == PolicyVersion.GlobalScope;
        NotNegative("maxWaitBeforeBurstMinutes", doc.MaxWaitBeforeBurstMinutes, 525_600);
        NotNegative("deadlineMarginMinutes", doc.DeadlineMarginMinutes, 525_600);
        NotNegative("maxCloudGpus", doc.MaxCloudGpus, 1_000_000);
        NotNegative("maxCloudGpusGlobal", doc.MaxCloudGpusGlobal, 1_000_000);
        if (!isGlobal && doc.MaxCloudGpusGlobal is not null)
        {
            Add("maxCloudGpusGlobal", "only the global policy caps the whole fleet; a team override may set maxCloudGpus");
        }
        if (doc.LeaseFactor is { } lease && lease is < 1 or > 100)
        {
            Add("leaseFactor", "must be between 1 and 100 (a lease of the estimate times this factor)");
        }
        if (doc.FairShareWeight is { } weight && weight is <= 0 or > 1000)
        {
            Add("fairShareWeight", "must be greater than 0 and at most 1000");
        }
        if (doc.MaxSlowdown is { } slowdown && (double.IsNaN(slowdown) || slowdown is < 1 or > 1_000_000))
        {
            Add("maxSlowdown", "must be between 1 and 1000000 ((wait + run) / run: 1 bursts a job as soon as it would wait at all)");
        }
        if (doc.WaitPricePerGpuHour is { } waitPrice && waitPrice is < 0 or > 10_000)
        {
            Add("waitPricePerGpuHour", "must be between 0 and 10000 USD per GPU-hour of waiting");
        }
        if (doc.SpotEscalateAfter is { } after && after is < 1 or > 100)
        {
            Add("spotEscalateAfter", "must be between 1 and 100 interruptions or failed spot launches in one zone");
        }
        NotNegative("maxPreemptionsPerJob", doc.MaxPreemptionsPerJob, 100);
        Positive("maxPricePerGpuHour.spot", doc.MaxPricePerGpuHour?.Spot);
        Positive("maxPricePerGpuHour.onDemand", doc.MaxPricePerGpuHour?.OnDemand);
        var providers = Providers(doc.AllowedProviders, effective.Values.AllowedProviders ?? []);
        Regions(doc.AllowedRegions, providers);
        var markets = Markets(doc.Markets, effective.Values.Markets ?? []);
        CapsAgainstMarkets(doc, markets);
        CapsAgainstOffers(effective, providers, markets);
        if (errors.Count > 0)
        {
            var all = errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
            throw new RuleViolationException($"The policy breaks {all.Sum(e => e.Value.Length)} rule(s): "
                + string.Join("; ", all.Select(e => $"{e.Key}: {e.Value[0]}")), all);
        }
    }

    private IReadOnlyList<string> Providers(IReadOnlyList<string>? named, IReadOnlyList<string> effective)
    {
        var known = offers.Select(o => o.Provider).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (named is not null)
        {
            TooMany("allowedProviders", named);
            for (var i = 0; i < named.Count; i++)
            {
                if (!known.Contains(named[i], StringComparer.OrdinalIgnoreCase))
                {
                    Add($"allowedProviders[{i}]", $"'{Clip(named[i])}' is not a provider Broker has offers for (known: {List(known)})");
                }
            }
        }
        return effective.Count == 0 ? known : [.. known.Where(k => effective.Contains(k, StringComparer.OrdinalIgnoreCase))];
    }

    private void Regions(IReadOnlyList<string>? named, IReadOnlyList<string> providers)
    {
        if (named is null)
        {
            return;
        }
        TooMany("allowedRegions", named);
        for (var i = 0; i < named.Count; i++)
        {
            var region = named[i];
            if (!offers.Any(o => providers.Contains(o.Provider) && string.Equals(o.Region, region, StringComparison.OrdinalIgnoreCase)))
            {
                Add($"allowedRegions[{i}]", $"'{Clip(region)}' is not a region of {List(providers)}");
            }
        }
    }

    /// <summary>The markets the effective policy allows; contradictions are reported on the document's field.</summary>
    private HashSet<CapacityType> Markets(IReadOnlyList<string>? named, IReadOnlyList<string> effective)
    {
        if (named is not null)
        {
            if (named.Count == 0)
            {
                Add("markets", "at least one market is needed (turn bursting off with burstingEnabled=false)");
            }
            for (var i = 0; i < named.Count; i++)
            {
                if (!PolicyMarkets.All.Contains(named[i], StringComparer.Ordinal))
                {
                    Add($"markets[{i}]", $"'{Clip(named[i])}' is not a market ({List(PolicyMarkets.All)})");
                }
                else if (named.Take(i).Contains(named[i], StringComparer.Ordinal))
                {
                    Add($"markets[{i}]", $"'{named[i]}' is named twice");
                }
            }
            if (named.Contains(PolicyMarkets.SpotWithFallback) && named.Count > 1)
            {
                Add("markets", $"contradictory markets: {PolicyMarkets.SpotWithFallback} already decides between spot and on-demand; list it alone");
            }
        }
        var fallback = effective.Contains(PolicyMarkets.SpotWithFallback);
        var set = new HashSet<CapacityType>();
        if (fallback || effective.Contains(PolicyMarkets.Spot))
        {
            set.Add(CapacityType.Spot);
        }
        if (fallback || effective.Contains(PolicyMarkets.OnDemand))
        {
            set.Add(CapacityType.OnDemand);
        }
        return set;
    }

    private void CapsAgainstMarkets(PolicyDocument doc, HashSet<CapacityType> markets)
    {
        if (doc.MaxPricePerGpuHour?.Spot is not null && !markets.Contains(CapacityType.Spot))
        {
            Add("maxPricePerGpuHour.spot", "contradictory markets: caps the spot price, but the markets do not allow spot");
        }
        if (doc.MaxPricePerGpuHour?.OnDemand is not null && !markets.Contains(CapacityType.OnDemand))
        {
            Add("maxPricePerGpuHour.onDemand", "contradictory markets: caps the on-demand price, but the markets do not allow on-demand");
        }
    }

    private void CapsAgainstOffers(EffectivePolicy effective, IReadOnlyList<string> providers, HashSet<CapacityType> markets)
    {
        var regions = effective.Values.AllowedRegions ?? [];
        var usable = offers.Where(o => providers.Contains(o.Provider)
            && (regions.Count == 0 || regions.Contains(o.Region, StringComparer.OrdinalIgnoreCase))).ToList();
        CapAgainst("maxPricePerGpuHour.spot", "spot", effective.Values.MaxPricePerGpuHour?.Spot, markets.Contains(CapacityType.Spot),
            usable.Where(o => o.SpotPerGpuHour is not null).Select(o => o.SpotPerGpuHour!.Value).ToList());
        CapAgainst("maxPricePerGpuHour.onDemand", "on-demand", effective.Values.MaxPricePerGpuHour?.OnDemand,
            markets.Contains(CapacityType.OnDemand), usable.Select(o => o.OnDemandPerGpuHour).ToList());
    }

    private void CapAgainst(string field, string market, decimal? cap, bool allowed, List<decimal> prices)
    {
        if (allowed && cap is { } c && c > 0 && prices.Count > 0 && c < prices.Min())
        {
            Add(field, string.Create(CultureInfo.InvariantCulture,
                $"${c:0.####} is below every {market} offer the team could use (cheapest ${prices.Min():0.####} per GPU-hour)"));
        }
    }

    private void NotNegative(string field, int? value, int max)
    {
        if (value < 0)
        {
            Add(field, "must not be negative");
        }
        else if (value > max)
        {
            Add(field, $"must be at most {max}");
        }
    }

    private void Positive(string field, decimal? value)
    {
        if (value is { } v && v is <= 0 or > 10_000)
        {
            Add(field, "must be greater than 0 and at most 10000 USD per GPU-hour");
        }
    }

    private void TooMany(string field, IReadOnlyList<string> values)
    {
        if (values.Count > MaxListItems)
        {
            Add(field, $"at most {MaxListItems} entries");
        }
    }

    private void Add(string field, string error)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }
        list.Add(error);
    }

    private static string List(IEnumerable<string> values) => values.Any() ? string.Join(", ", values) : "none";

    private static string Clip(string value) => value.Length <= 64 ? value : value[..64] + "...";
}
