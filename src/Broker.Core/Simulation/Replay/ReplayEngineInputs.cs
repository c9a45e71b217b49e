using Broker.Core.Placement;
using Broker.Core.Policies;

namespace Broker.Core.Simulation;

/// <summary>The scenario's policies, budgets, shares and engine options in the engine's own types.</summary>
internal sealed class ReplayEngineInputs
{
    private readonly Scenario scenario;

    public ReplayEngineInputs(Scenario scenario)
    {
        this.scenario = scenario;
        DefaultPolicy = ToPolicy("*", scenario.Policy.Default);
        Policies = (scenario.Policy.Teams ?? new Dictionary<string, PolicySettings>())
            .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => ToPolicy(p.Key, p.Value)).ToArray();
        Options = PlacementOptions.Default with { CloudStartup = TimeSpan.FromSeconds(scenario.Cloud.StartupS) };
        Book = new PolicyBook(Policies, DefaultPolicy);
    }

    /// <summary>The same policies as a lookup by team.</summary>
    public PolicyBook Book { get; }

    public BurstPolicy DefaultPolicy { get; }

    public IReadOnlyList<BurstPolicy> Policies { get; }

    public PlacementOptions Options { get; }

    public IReadOnlyList<TeamBudget> Budgets(Func<string, decimal> spentSoFar) =>
        scenario.Budgets.OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => new TeamBudget(b.Key, b.Value, spentSoFar(b.Key))).ToArray();

    public IReadOnlyList<TeamShare> Shares(IReadOnlyDictionary<string, int> gpusInUse) =>
        scenario.Shares.Keys.Concat(gpusInUse.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(team => new TeamShare(team, scenario.Shares.GetValueOrDefault(team, 1.0), gpusInUse.GetValueOrDefault(team)))
            .ToArray();

    private BurstPolicy ToPolicy(string team, PolicySettings p) => new(
        team,
        p.AllowBurst,
        p.AllowedProviders ?? [],
        p.AllowedRegions ?? [],
        p.AllowSpot,
        TimeSpan.FromMinutes(p.MaxWaitMinutes),
        p.MaxPricePerGpuHour,
        scenario.OnPrem.RatePerGpuHour,
        MaxSlowdown: p.MaxSlowdown,
        WaitPricePerGpuHour: p.WaitPricePerGpuHour,
        SpotEscalateAfter: p.SpotEscalateAfter ?? BurstPolicy.DefaultSpotEscalateAfter,
        MaxPreemptionsPerJob: p.MaxPreemptionsPerJob ?? BurstPolicy.DefaultMaxPreemptionsPerJob);
}
