using Broker.Core.Placement;
using Broker.Core.Policies;
using Broker.Core.Simulation.Scenarios;

namespace Broker.Core.Simulation.Replay;

/// <summary>
/// The policies, budgets, shares, fleet-wide cloud-GPU cap and engine options one replay feeds the engine, in the engine's
/// own types. Either from a scenario file's simple policy section, or the engine's full <see cref="BurstPolicy"/> list
/// (markets, per-market caps, cloud GPU caps, deadline margin, fair-share weight) as the API's placement pass uses it.
/// </summary>
internal sealed class ReplayEngineInputs
{
    private readonly IReadOnlyDictionary<string, decimal> budgets;
    private readonly IReadOnlyDictionary<string, double> shares;

    private ReplayEngineInputs(IReadOnlyList<BurstPolicy> policies, BurstPolicy defaultPolicy, int? maxCloudGpusGlobal,
        IReadOnlyDictionary<string, decimal> budgets, IReadOnlyDictionary<string, double> shares, Scenario scenario)
    {
        this.budgets = budgets;
        this.shares = shares;
        Policies = policies;
        DefaultPolicy = defaultPolicy;
        MaxCloudGpusGlobal = maxCloudGpusGlobal;
        Options = PlacementOptions.Default with { CloudStartup = TimeSpan.FromSeconds(scenario.Cloud.StartupS) };
        Book = new PolicyBook(Policies, DefaultPolicy);
    }

    /// <summary>The same policies as a lookup by team.</summary>
    public PolicyBook Book { get; }

    public BurstPolicy DefaultPolicy { get; }

    public IReadOnlyList<BurstPolicy> Policies { get; }

    public int? MaxCloudGpusGlobal { get; }

    public PlacementOptions Options { get; }

    /// <summary>The scenario's own policy section; fair-share weights from its <c>shares</c>.</summary>
    public static ReplayEngineInputs From(Scenario scenario)
    {
        BurstPolicy ToPolicy(string team, PolicySettings p) => new(
            team, p.AllowBurst, p.AllowedProviders ?? [], p.AllowedRegions ?? [], p.AllowSpot, TimeSpan.FromMinutes(p.MaxWaitMinutes),
            p.MaxPricePerGpuHour, scenario.OnPrem.RatePerGpuHour, MaxSlowdown: p.MaxSlowdown, WaitPricePerGpuHour: p.WaitPricePerGpuHour,
            SpotEscalateAfter: p.SpotEscalateAfter ?? BurstPolicy.DefaultSpotEscalateAfter,
            MaxPreemptionsPerJob: p.MaxPreemptionsPerJob ?? BurstPolicy.DefaultMaxPreemptionsPerJob);
        var teams = (scenario.Policy.Teams ?? new Dictionary<string, PolicySettings>())
            .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => ToPolicy(p.Key, p.Value)).ToArray();
        return new ReplayEngineInputs(teams, ToPolicy("*", scenario.Policy.Default), null, scenario.Budgets, scenario.Shares, scenario);
    }

    /// <summary>The engine's own policies (replacing the scenario's policy section); weights from each team's policy.</summary>
    public static ReplayEngineInputs From(Scenario scenario, EnginePolicies policies) =>
        new(policies.Teams, policies.Global, policies.MaxCloudGpusGlobal, scenario.Budgets, new Dictionary<string, double>(), scenario);

    public IReadOnlyList<TeamBudget> Budgets(Func<string, decimal> spentSoFar) =>
        budgets.OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => new TeamBudget(b.Key, b.Value, spentSoFar(b.Key))).ToArray();

    public IReadOnlyList<TeamShare> Shares(IReadOnlyDictionary<string, int> gpusInUse) =>
        shares.Keys.Concat(gpusInUse.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(team => new TeamShare(team, shares.TryGetValue(team, out var w) ? w : Book.For(team).FairShareWeight,
                gpusInUse.GetValueOrDefault(team)))
            .ToArray();

    /// <summary>The fleet-wide cap and the cloud GPUs each team holds now; null when nothing caps cloud GPUs.</summary>
    public CloudControls? Controls(Func<IReadOnlyDictionary<string, int>> cloudGpusInUse) =>
        MaxCloudGpusGlobal is null && Policies.All(p => p.MaxCloudGpus is null) && DefaultPolicy.MaxCloudGpus is null
            ? null
            : new CloudControls(null, new Dictionary<string, string>(), MaxCloudGpusGlobal, cloudGpusInUse());
}
