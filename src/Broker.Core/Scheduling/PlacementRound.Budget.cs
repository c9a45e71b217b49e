using System.Text.Json;
using Broker.Core.Costs.Budgets;
using Broker.Core.Jobs;
using Broker.Core.Placement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Broker.Core.Scheduling;

public sealed partial class PlacementRound
{
    private async Task<Guid?> WaitForBudgetAsync(Job job, DecisionView cloud, CostReservation reservation, PlacementPlan plan, CancellationToken ct)
    {
        if (!BudgetWait(job, cloud, reservation, plan))
        {
            return null;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            logger.LogInformation("Job {Job} changed during the pass; it is looked at again next pass", job.Id);
        }
        return null;
    }

    /// <summary>The job waits for budget instead (concurrent placements used it up since the snapshot); false when it already says so.</summary>
    private static bool BudgetWait(Job job, DecisionView cloud, CostReservation reservation, PlacementPlan plan)
    {
        var detail = $"expected ${reservation.ExpectedCost:0.##} does not fit what is left of {job.Team}'s budget (used by concurrent placements)";
        var view = cloud with
        {
            Action = "wait", Node = null, Provider = null, Region = null, Zone = null, InstanceType = null, Market = null, GpuModel = null,
            PricePerHour = null, ExpectedCost = null, WaitReason = "budget", RetryAt = plan.Now + TimeSpan.FromSeconds(15),
            EstimatedOnPremStart = null, Chosen = $"wait (budget): {detail}",
            Rejected = [new RejectedView(cloud.Chosen, "budget", detail, reservation.ExpectedCost), .. cloud.Rejected],
        };
        if (SameWait(job.LatestExplanation, view))
        {
            return false;
        }
        job.LatestExplanation = JsonSerializer.Serialize(view, Json);
        return true;
    }

    /// <summary>A waiting job is rewritten only when why it waits changes, not on every pass.</summary>
    private static bool SameWait(string? previousJson, DecisionView view)
    {
        if (previousJson is null)
        {
            return false;
        }
        var previous = JsonSerializer.Deserialize<DecisionView>(previousJson, Json);
        return previous is not null && previous.Action == view.Action && previous.WaitReason == view.WaitReason && previous.Chosen == view.Chosen;
    }
}
