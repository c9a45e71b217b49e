namespace Broker.Core.Placement.Strategies;

/// <summary>Turns a cloud search into a launch or a wait, with the explanation.</summary>
internal static class CloudSteps
{
    public static CloudDecision Launch(PlacementPass pass, PendingJob job, CloudSearchResult result, RejectedOption onPrem, string why)
    {
        var best = Commit(pass, job, result);
        var chosen = $"cloud {pass.OfferText.Of(best)}, expected ${best.ExpectedCost:0.##}: {why}";
        return new CloudDecision(job.JobId, best.Offer, best.Market, best.PricePerHour, best.ExpectedCost,
            new Explanation(chosen, result.Explain([onPrem])));
    }

    /// <summary>The broker's launch: why, "least expected cost", and the job's spot escalation when it has one.</summary>
    public static CloudDecision LaunchLeastCost(PlacementPass pass, PendingJob job, CloudSearchResult result, RejectedOption onPrem,
        string why)
    {
        var best = Commit(pass, job, result);
        var chosen = result.Escalation is { } escalation
            ? $"cloud {pass.OfferText.Of(best)}, expected ${best.ExpectedCost:0.##}: {why}; least expected cost; spot escalation: {escalation}"
            : $"cloud {pass.OfferText.Of(best)}, expected ${best.ExpectedCost:0.##}: {why}; least expected cost";
        return new CloudDecision(job.JobId, best.Offer, best.Market, best.PricePerHour, best.ExpectedCost,
            new Explanation(chosen, result.Explain([onPrem])));
    }

    private static CloudCandidate Commit(PlacementPass pass, PendingJob job, CloudSearchResult result)
    {
        var best = result.Best ?? throw new InvalidOperationException("No cloud candidate to launch.");
        pass.Budgets.Commit(job.Team, best.ExpectedCost);
        pass.CloudGpus.Commit(job.Team, best.Offer.GpusPerInstance);
        return best;
    }

    /// <summary>No cloud option survived: wait for on-prem (queued) with the reason of the cheapest rejected option.</summary>
    public static WaitDecision NoCloud(PlacementPass pass, PendingJob job, CloudSearchResult result, RejectedOption onPrem,
        (DateTimeOffset Start, NodeSlots Node)? estimate)
    {
        var start = OnPremSteps.Queue(pass, job, estimate);
        var reason = result.LeadingRejection?.ToWaitReason() ?? WaitReason.Capacity;
        var retry = (reason, start, result.LeadingRejection) switch
        {
            (WaitReason.Capacity, { } s, _) when s < pass.NextLook => s,
            (WaitReason.Capacity, null, null) => DateTimeOffset.MaxValue,
            _ => pass.NextLook,
        };
        RejectedOption[] rejected = result.LeadingRejection is null
            ? [onPrem, new RejectedOption("cloud", RejectionReason.Capacity, $"no offer of an acceptable model has {job.Gpus} GPUs per instance")]
            : result.Explain([onPrem]);
        var chosen = start is { } at
            ? $"wait ({reason.Code()}): queued for on-prem, expected start in {UniformProgress.Short(at - pass.Now)}"
            : $"wait ({reason.Code()}): {OnPremSteps.NoNode(job)} and no cloud option is allowed";
        return new WaitDecision(job.JobId, reason, retry == DateTimeOffset.MaxValue ? retry : OnPremSteps.Later(pass, retry), start,
            new Explanation(chosen, rejected));
    }

    public static WaitDecision BurstNotAllowed(PlacementPass pass, PendingJob job, RejectedOption onPrem,
        (DateTimeOffset Start, NodeSlots Node)? estimate)
    {
        var start = OnPremSteps.Queue(pass, job, estimate);
        var stop = pass.Controls.BurstingStopped is null ? "" : "bursting stopped by ops; ";
        var chosen = start is { } at
            ? $"wait (policy): {stop}queued for on-prem, expected start in {UniformProgress.Short(at - pass.Now)}"
            : $"wait (policy): {stop}{OnPremSteps.NoNode(job)}";
        return new WaitDecision(job.JobId, WaitReason.Policy, start is { } s ? OnPremSteps.Later(pass, s) : DateTimeOffset.MaxValue, start,
            new Explanation(chosen, [onPrem, new RejectedOption("cloud", RejectionReason.Policy,
                pass.Controls.BurstingStopped is { } stopped ? $"bursting stopped by ops: {stopped}" : $"team {job.Team} does not allow bursting")]));
    }
}
