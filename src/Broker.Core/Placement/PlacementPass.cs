using Broker.Core.Policies;

namespace Broker.Core.Placement;

/// <summary>The working state of one pass over a snapshot, shared by every strategy.</summary>
internal sealed class PlacementPass
{
    public PlacementPass(PlacementSnapshot snapshot)
    {
        Now = snapshot.Now;
        Options = snapshot.Options ?? PlacementOptions.Default;
        OnPrem = new OnPremPlanner(snapshot, Options);
        Policies = new PolicyBook(snapshot.Policies, snapshot.DefaultPolicy);
        Budgets = new BudgetLedger(snapshot.Budgets);
        Offers = new OfferIndex(snapshot.Offers);
        Controls = snapshot.Controls ?? CloudControls.None;
        CloudGpus = new CloudGpuLedger(Controls);
        Cloud = new CloudSearch(Offers, Budgets, Now, Options, Controls, CloudGpus, OfferText);
        RunningOnPrem = snapshot.RunningJobs;
    }

    /// <summary>The jobs running on-prem at the snapshot (the move that frees a node reads them).</summary>
    public IReadOnlyList<RunningOnPremJob> RunningOnPrem { get; }

    /// <summary>Running on-prem jobs this pass moved to free a node: each moves once.</summary>
    public HashSet<string> MovedRunning { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset Now { get; }

    public PlacementOptions Options { get; }

    public OnPremPlanner OnPrem { get; }

    public PolicyBook Policies { get; }

    public BudgetLedger Budgets { get; }

    public OfferIndex Offers { get; }

    public CloudSearch Cloud { get; }

    public CloudControls Controls { get; }

    public CloudGpuLedger CloudGpus { get; }

    public OfferDescriptions OfferText { get; } = new();

    /// <summary>The "on-prem now" options worded so far in this pass, by kind, GPUs (when worded), node and expected start.</summary>
    public Dictionary<(NotNowKind Kind, int Gpus, int Node, long Start), RejectedOption> NotNowWords { get; } = [];

    public DateTimeOffset NextLook => Now + Options.RecheckInterval;
}
