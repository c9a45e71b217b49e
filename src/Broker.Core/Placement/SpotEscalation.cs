using Broker.Core.Policies;

namespace Broker.Core.Placement;

/// <summary>
/// Where a job may still use spot after its interruptions and failed spot launches ("strikes"), with N the policy's
/// <see cref="BurstPolicy.SpotEscalateAfter"/>: a zone with N strikes of the job is avoided (another zone); a region with
/// 2N (it failed in a second zone there too) is avoided (another region); a provider with 3N is avoided (another
/// provider); when every spot market is avoided, or after <see cref="BurstPolicy.MaxPreemptionsPerJob"/> interruptions,
/// spot is not offered to the job any more (on-demand or on-prem). A zoneless offer's zone is its region. Each step says
/// so in words. Failed launches cost nothing but a second each, so they only move the job: a market-wide drop that
/// refuses it in eight zones still leaves it the markets it has not tried, and failed launches per job stay bounded by
/// 3N per provider. Interruptions cost work, so they alone end spot for the job.
/// </summary>
internal sealed class SpotEscalation
{
    private readonly Dictionary<string, int> strikes = new(StringComparer.OrdinalIgnoreCase);
    private readonly int after;

    private SpotEscalation(PendingJob job, BurstPolicy policy, IReadOnlyList<SpotStrike> all)
    {
        after = Math.Max(1, policy.SpotEscalateAfter);
        foreach (var s in all)
        {
            if (s.Zone is not null)
            {
                Count(ZoneKey(s.Provider, s.Region, s.Zone));
            }
            Count(RegionKey(s.Provider, s.Region));
            Count(s.Provider);
        }
        var interruptions = Math.Max(job.Interruptions, all.Count(s => s.Kind == SpotStrikeKind.Interrupted));
        NoSpot = interruptions >= policy.MaxPreemptionsPerJob
            ? $"spot no longer offered: preempted {interruptions} times, the policy's maximum is {policy.MaxPreemptionsPerJob}"
            : null;
        Summary = NoSpot ?? $"{all.Count} spot interruption(s) or failed launch(es) so far";
    }

    /// <summary>Why the job gets no spot at all any more, or null.</summary>
    public string? NoSpot { get; }

    /// <summary>The escalation state in words, for the chosen option's explanation.</summary>
    public string Summary { get; }

    /// <summary>Null when the job has had no setback on spot that changes anything (the common case: costs nothing).</summary>
    public static SpotEscalation? For(PendingJob job, BurstPolicy policy)
    {
        var all = job.SpotStrikes ?? [];
        return all.Count == 0 && job.Interruptions < policy.MaxPreemptionsPerJob ? null : new SpotEscalation(job, policy, all);
    }

    /// <summary>Why this offer's spot market is avoided for the job (the widest scope that is), or null.</summary>
    public string? Avoids(CloudOffer offer)
    {
        var provider = strikes.GetValueOrDefault(offer.Provider);
        if (provider >= 3 * after)
        {
            return $"moved off {offer.Provider}: {provider} spot interruptions or failed launches there (another provider after {3 * after})";
        }
        var regionKey = RegionKey(offer.Provider, offer.Region);
        var region = strikes.GetValueOrDefault(regionKey);
        if (region >= 2 * after)
        {
            return $"moved off {regionKey}: {region} spot interruptions or failed launches there (another region after {2 * after})";
        }
        var zoneKey = ZoneKey(offer.Provider, offer.Region, offer.Zone);
        var zone = strikes.GetValueOrDefault(zoneKey);
        return zone >= after
            ? $"moved off {zoneKey}: {zone} spot interruptions or failed launches there (another {(offer.Zone is null ? "region" : "zone")} after {after})"
            : null;
    }

    private void Count(string key) => strikes[key] = strikes.GetValueOrDefault(key) + 1;

    private static string RegionKey(string provider, string region) => $"{provider}/{region}";

    private static string ZoneKey(string provider, string region, string? zone) =>
        zone is null ? RegionKey(provider, region) : $"{provider}/{region}/{zone}";
}
