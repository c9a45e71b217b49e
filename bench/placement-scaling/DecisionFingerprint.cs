using System.Security.Cryptography;
using System.Text;
using Broker.Core.Placement;

namespace Broker.Bench.PlacementScaling;

/// <summary>
/// A short hash of what a plan decided, in order: per job its id, the kind of decision and where (node and GPUs; offer and
/// market and price; wait reason, retry time, expected start and limit). Explanations are left out, so wording may change
/// and the fingerprint stays; any different decision changes it.
/// </summary>
public static class DecisionFingerprint
{
    public static string Of(PlacementPlan plan) => Hash(plan, withExplanations: false);

    /// <summary>The same hash over each decision and its explanation as rendered (<see cref="Explanation.ToString"/>, and
    /// every rejected option's expected cost): a change meant not to alter any word keeps it too.</summary>
    public static string WithExplanations(PlacementPlan plan) => Hash(plan, withExplanations: true);

    private static string Hash(PlacementPlan plan, bool withExplanations)
    {
        var text = new StringBuilder();
        foreach (var decision in plan.Decisions)
        {
            text.Append(Line(decision));
            if (withExplanations)
            {
                text.Append(" | ").Append(decision.Explanation.ToString()).Append(" | ")
                    .AppendJoin(' ', decision.Explanation.Rejected.Select(r => $"{r.Reason}:{r.ExpectedCost}"));
            }
            text.Append('\n');
        }
        return $"{plan.Decisions.Count}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16]}";
    }

    public static string Line(PlacementDecision decision) => decision switch
    {
        OnPremDecision d => $"{d.JobId} onprem {d.Node} {d.Gpus} {d.GpuModel} {d.CostPerHour} {string.Join("+", d.MemberNodes ?? [])}",
        CloudDecision d => $"{d.JobId} cloud {d.Offer.Id} {d.Market} {d.PricePerHour} {d.ExpectedCost}",
        WaitDecision d => $"{d.JobId} wait {d.Reason} {d.RetryAt.UtcTicks} {d.EstimatedOnPremStart?.UtcTicks} {d.LimitAt?.UtcTicks}",
        _ => throw new ArgumentOutOfRangeException(nameof(decision)),
    };
}
