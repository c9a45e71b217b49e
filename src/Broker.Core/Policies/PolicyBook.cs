using Broker.Core.Capacity;

namespace Broker.Core.Policies;

/// <summary>Looks up each team's burst policy, falling back to the default one.</summary>
public sealed class PolicyBook(IEnumerable<BurstPolicy> policies, BurstPolicy defaultPolicy)
{
    private readonly Dictionary<string, BurstPolicy> byTeam = policies
        .GroupBy(p => p.Team, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    public BurstPolicy For(string team) => byTeam.GetValueOrDefault(team) ?? defaultPolicy with { Team = team };

    /// <summary>The tighter of the job's and the policy's price caps (USD per GPU per hour), or null for none.</summary>
    public static decimal? PriceCap(decimal? jobCap, BurstPolicy policy) => BurstPolicy.Tighter(jobCap, policy.MaxPricePerGpuHour);

    /// <summary>The tighter of the job's cap and the policy's cap for one market.</summary>
    public static decimal? PriceCap(decimal? jobCap, BurstPolicy policy, CapacityType market) =>
        BurstPolicy.Tighter(jobCap, policy.CapFor(market));
}
