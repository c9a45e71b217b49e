using Broker.Core.Placement;

namespace Broker.Core.Scheduling;

/// <summary>A placement decision as the API shows it (and as a job keeps its latest one, in JSON).</summary>
public sealed record DecisionView(
    string JobId,
    string Action,
    string? Node,
    string? Provider,
    string? Region,
    string? Zone,
    string? InstanceType,
    string? Market,
    string? GpuModel,
    decimal? PricePerHour,
    decimal? ExpectedCost,
    string? WaitReason,
    DateTimeOffset? RetryAt,
    DateTimeOffset? EstimatedOnPremStart,
    string Chosen,
    IReadOnlyList<RejectedView> Rejected,
    DateTimeOffset DecidedAt,
    string Strategy)
{
    public static DecisionView From(PlacementDecision decision, PlacementPlan plan) => decision switch
    {
        OnPremDecision d => new(d.JobId, "onprem", d.Node, null, null, null, null, "onprem", d.GpuModel, d.CostPerHour, null,
            null, null, null, d.Explanation.Chosen, RejectedOf(d.Explanation), plan.Now, plan.Strategy),
        CloudDecision d => new(d.JobId, "cloud", null, d.Offer.Provider, d.Offer.Region, d.Offer.Zone, d.Offer.InstanceType,
            d.Market.ToString().ToLowerInvariant(), d.Offer.GpuModel, d.PricePerHour, d.ExpectedCost, null, null, null,
            d.Explanation.Chosen, RejectedOf(d.Explanation), plan.Now, plan.Strategy),
        MigrationDecision d => new(d.JobId, "migrate", d.Node, null, null, null, null, "onprem", d.GpuModel, d.CostPerHour, null,
            null, null, null, d.Explanation.Chosen, RejectedOf(d.Explanation), plan.Now, plan.Strategy),
        WaitDecision d => new(d.JobId, "wait", null, null, null, null, null, null, null, null, null, d.Reason.Code(), d.RetryAt,
            d.EstimatedOnPremStart, d.Explanation.Chosen, RejectedOf(d.Explanation), plan.Now, plan.Strategy),
        _ => throw new ArgumentOutOfRangeException(nameof(decision)),
    };

    private static List<RejectedView> RejectedOf(Explanation e) =>
        [.. e.Rejected.Select(r => new RejectedView(r.Option, r.Reason.Code(), r.Detail, r.ExpectedCost))];
}

public sealed record RejectedView(string Option, string Reason, string Detail, decimal? ExpectedCost);
