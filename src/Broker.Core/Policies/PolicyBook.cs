using System.Collections.Concurrent;
using Broker.Core.Capacity;

namespace Broker.Core.Policies;

/// <summary>Looks up each team's burst policy, falling back to the default one.</summary>
public sealed class PolicyBook(IEnumerable<BurstPolicy> policies, BurstPolicy defaultPolicy)
{
    private readonly Dictionary<string, BurstPolicy> byTeam = policies
        .GroupBy(p => p.Team, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    // The default policy named for each team without its own, built once per team (a pass asks for every job).
    private readonly ConcurrentDictionary<string, BurstPolicy> defaults = new(StringComparer.Ordinal);

    public BurstPolicy For(string team) =>
        byTeam.GetValueOrDefault(team) ?? defaults.GetOrAdd(team, static (t, d) => d with { Team = t }, defaultPolicy);

    /// <summary>The tighter of the job's and the policy's price caps (USD per GPU per hour), or null for none.</summary>
    public static decimal? PriceCap(decimal? jobCap, BurstPolicy policy) => BurstPolicy.Tighter(jobCap, policy.MaxPricePerGpuHour);

    /// <summary>The tighter of the job's cap and the policy's cap for one market.</summary>
    public static decimal? PriceCap(decimal? jobCap, BurstPolicy policy, CapacityType market) =>
        BurstPolicy.Tighter(jobCap, policy.CapFor(market));
}
