namespace Broker.Core.Placement;

/// <summary>
/// Cloud offers bucketed by GPU model and GPUs per instance. Each bucket keeps two lists, on-demand offers by on-demand
/// price and spot offers by spot price, so a search walks each market cheapest first and stops as soon as nothing
/// further down can win: per job the work stays near constant however many offers there are.
/// </summary>
internal sealed class OfferIndex
{
    private readonly Dictionary<string, OfferBucket[]> modelBuckets;
    private readonly OfferBucket[] anyBuckets;

    public OfferIndex(IReadOnlyList<CloudOffer> offers)
    {
        modelBuckets = offers.GroupBy(o => o.GpuModel, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => Buckets(g), StringComparer.OrdinalIgnoreCase);
        anyBuckets = Buckets(offers);
    }

    /// <summary>Fills <paramref name="into"/> with the buckets the job may use: acceptable model, big enough instances.</summary>
    public void CollectBuckets(PendingJob job, List<OfferBucket> into)
    {
        into.Clear();
        if (job.AcceptsAnyModel)
        {
            Add(anyBuckets, job.Gpus, into);
            return;
        }
        for (var i = 0; i < job.AcceptableGpuModels.Count; i++)
        {
            if (!IsRepeat(job.AcceptableGpuModels, i) && modelBuckets.TryGetValue(job.AcceptableGpuModels[i], out var buckets))
            {
                Add(buckets, job.Gpus, into);
            }
        }
    }

    private static void Add(OfferBucket[] buckets, int gpus, List<OfferBucket> into)
    {
        foreach (var bucket in buckets)
        {
            if (bucket.GpusPerInstance >= gpus)
            {
                into.Add(bucket);
            }
        }
    }

    private static bool IsRepeat(IReadOnlyList<string> models, int index)
    {
        for (var j = 0; j < index; j++)
        {
            if (string.Equals(models[j], models[index], StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static OfferBucket[] Buckets(IEnumerable<CloudOffer> offers) =>
        offers.GroupBy(o => o.GpusPerInstance)
            .OrderBy(g => g.Key)
            .Select(g => new OfferBucket(
                g.Key,
                g.OrderBy(o => o.OnDemandPricePerHour).ThenBy(o => o, OfferOrder.Instance).ToArray(),
                g.Where(o => o.SpotPricePerHour is not null).OrderBy(o => o.SpotPricePerHour).ThenBy(o => o, OfferOrder.Instance).ToArray()))
            .ToArray();
}

internal sealed record OfferBucket(int GpusPerInstance, CloudOffer[] ByOnDemandPrice, CloudOffer[] BySpotPrice);
