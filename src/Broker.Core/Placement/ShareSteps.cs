namespace Broker.Core.Placement;

/// <summary>
/// A shared job placed now by <see cref="SharePacking"/> (ADR 0011): onto a GPU already shared, best fit over shares, and only
/// when none has room onto a fresh GPU of the node left with the fewest, so whole GPUs and nodes stay free for whole-GPU and
/// gang jobs. It reserves (and is charged) its share rounded up to the node's shards.
/// </summary>
internal static class ShareSteps
{
    public static OnPremDecision? PlaceNow(PlacementPass pass, PendingJob job, int[] pools, decimal share)
    {
        if (pass.OnPrem.TryPlaceShare(pools, share, job.RemainingWork, job.CpuCores, job.MemoryGb) is not { } placed)
        {
            return null;
        }
        var (node, at) = placed;
        var rate = pass.Policies.For(job.Team).OnPremRatePerGpuHour * at.ReservedShare;
        var where = at.OpensFreshGpu ? "opens a fresh GPU: no shared GPU has room" : "on a GPU already shared, best fit over shares";
        var chosen = $"on-prem {node.Node.Name} ({share:0.####} of 1x {node.Node.GpuModel}, {at.Shards}/{node.Node.ShardsPerGpu} shards): {where}";
        return new OnPremDecision(job.JobId, node.Node.Name, 1, node.Node.GpuModel, rate, new Explanation(chosen, []));
    }
}
