namespace Broker.Core.Policies;

/// <summary>Looks up each team's burst policy, falling back to the default one.</summary>
public sealed class PolicyBook(IEnumerable<BurstPolicy> policies, BurstPolicy defaultPolicy)
{
    private readonly Dictionary<string, BurstPolicy> byTeam = policies
        .GroupBy(p => p.Team, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    public BurstPolicy For(string team) => byTeam.GetValueOrDefault(team) ?? defaultPolicy with { Team = team };

    /// <summary>The tighter of the job's and the policy's price caps (USD per GPU per hour), or null for none.</summary>
    public static decimal? PriceCap(decimal? jobCap, BurstPolicy policy) =>
        (jobCap, policy.MaxPricePerGpuHour) switch
        {
            (null, var p) => p,
            (var j, null) => j,
            (var j, var p) => Math.Min(j!.Value, p!.Value),
        };
}
