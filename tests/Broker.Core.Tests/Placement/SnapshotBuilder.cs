using Broker.Core.Placement;
using Broker.Core.Policies;

namespace Broker.Core.Tests.Placement;

/// <summary>Builds placement snapshots for tests with sensible defaults (one team policy, no budgets, no shares).</summary>
internal sealed class SnapshotBuilder
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<PendingJob> jobs = [];
    private readonly List<OnPremNode> nodes = [];
    private readonly List<RunningOnPremJob> running = [];
    private readonly List<CloudOffer> offers = [];
    private readonly List<BurstPolicy> policies = [];
    private readonly List<TeamBudget> budgets = [];
    private readonly List<TeamShare> shares = [];

    public BurstPolicy DefaultPolicy { get; set; } =
        new("*", AllowBurst: true, [], [], AllowSpot: true, TimeSpan.FromMinutes(30), MaxPricePerGpuHour: null, OnPremRatePerGpuHour: 0.6m);

    public static PendingJob NewJob(string id, int gpus = 1, string team = "team-a", double hours = 2, int submittedMinutesAgo = 0,
        bool spot = true, string[]? models = null, DateTimeOffset? deadline = null, int priority = 0, double? checkpointMinutes = null) =>
        new(id, team, gpus, models ?? [], 0, TimeSpan.FromHours(hours), deadline, priority, spot,
            checkpointMinutes is { } c ? TimeSpan.FromMinutes(c) : null, null, Now.AddMinutes(-submittedMinutesAgo));

    public static CloudOffer NewOffer(string instanceType, string model = "T4", int gpus = 1, decimal onDemand = 1m, decimal? spot = 0.3m,
        string provider = "aws", string region = "us-east-1", string? zone = null, double interruptionsPerHour = 0.05) =>
        new(provider, region, zone, instanceType, model, gpus, 16, onDemand, spot, interruptionsPerHour);

    public SnapshotBuilder Job(PendingJob job)
    {
        jobs.Add(job);
        return this;
    }

    public SnapshotBuilder Node(string name, int total, int idle, string model = "T4")
    {
        nodes.Add(new OnPremNode(name, model, 16, total, idle));
        return this;
    }

    public SnapshotBuilder Node(OnPremNode node)
    {
        nodes.Add(node);
        return this;
    }

    public SnapshotBuilder Running(string node, int gpus, double hoursLeft, string team = "team-z")
    {
        running.Add(new RunningOnPremJob($"running-{running.Count}", team, node, gpus, Now.AddHours(hoursLeft)));
        return this;
    }

    public SnapshotBuilder Offer(CloudOffer offer)
    {
        offers.Add(offer);
        return this;
    }

    public SnapshotBuilder Policy(BurstPolicy policy)
    {
        policies.Add(policy);
        return this;
    }

    public SnapshotBuilder Budget(string team, decimal limit, decimal spent)
    {
        budgets.Add(new TeamBudget(team, limit, spent));
        return this;
    }

    public SnapshotBuilder Share(string team, double weight, int gpusInUse)
    {
        shares.Add(new TeamShare(team, weight, gpusInUse));
        return this;
    }

    public PlacementSnapshot Build() =>
        new(Now, jobs.ToArray(), nodes.ToArray(), running.ToArray(), offers.ToArray(), policies.ToArray(), DefaultPolicy,
            budgets.ToArray(), shares.ToArray());

    public PlacementPlan Place(string strategy) => PlacementStrategies.Get(strategy).Place(Build());

    public static T Decision<T>(PlacementPlan plan, string jobId) where T : PlacementDecision =>
        Assert.IsType<T>(plan.Decisions.Single(d => d.JobId == jobId));
}
