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
    private readonly Dictionary<(OfferBucket Bucket, int Members), OfferBucket> gangBuckets = [];

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

    /// <summary>
    /// The buckets whose single instances hold the job; when none does, the cloud gangs (ADR 0012) of one bucket's instances
    /// of the largest instance size that splits the job into equal whole instances (<c>gpus % perInstance == 0</c>, at most
    /// <see cref="CapacityFeasibility.MaxGangMembers"/>), built once per pass and bucket. Scaling every price by the same count
    /// keeps each list's order.
    /// </summary>
    private void Add(OfferBucket[] buckets, int gpus, List<OfferBucket> into)
    {
        var single = false;
        foreach (var bucket in buckets)
        {
            if (bucket.GpusPerInstance >= gpus)
            {
                into.Add(bucket);
                single = true;
            }
        }
        if (single)
        {
            return;
        }
        // The fewest members first, as on-prem (GangShape): buckets are ordered by size, so the largest instance that divides.
        for (var i = buckets.Length - 1; i >= 0; i--)
        {
            var bucket = buckets[i];
            var members = bucket.GpusPerInstance > 0 && gpus % bucket.GpusPerInstance == 0 ? gpus / bucket.GpusPerInstance : 0;
            if (members is > 1 and <= CapacityFeasibility.MaxGangMembers)
            {
                if (!gangBuckets.TryGetValue((bucket, members), out var gang))
                {
                    gang = new OfferBucket(gpus, [.. bucket.ByOnDemandPrice.Select(o => o.AsGang(members))],
                        [.. bucket.BySpotPrice.Select(o => o.AsGang(members))]);
                    gangBuckets[(bucket, members)] = gang;
                }
                into.Add(gang);
                return;
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
