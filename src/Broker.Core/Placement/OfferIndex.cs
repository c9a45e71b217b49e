namespace Broker.Core.Placement;

/// <summary>
/// Cloud offers bucketed by GPU model and GPUs per instance, each bucket sorted by its cheapest hourly price, so a job
/// only looks at instances big enough for its gang, of a model it accepts, cheapest first, and can stop early. Two
/// sorted arrays hold all buckets as contiguous ranges, so building the index allocates little.
/// </summary>
internal sealed class OfferIndex
{
    private readonly CloudOffer[] byModel;
    private readonly CloudOffer[] anyModel;
    private readonly Dictionary<string, OfferBucket[]> modelBuckets = new(StringComparer.OrdinalIgnoreCase);
    private readonly OfferBucket[] anyBuckets;

    public OfferIndex(IReadOnlyList<CloudOffer> offers)
    {
        byModel = [.. offers];
        Array.Sort(byModel, (a, b) =>
        {
            var c = string.Compare(a.GpuModel, b.GpuModel, StringComparison.OrdinalIgnoreCase);
            return c != 0 ? c : BySizeThenPrice(a, b);
        });
        anyModel = [.. offers];
        Array.Sort(anyModel, BySizeThenPrice);
        anyBuckets = Ranges(anyModel, 0, anyModel.Length);
        for (var start = 0; start < byModel.Length;)
        {
            var end = start;
            while (end < byModel.Length && string.Equals(byModel[end].GpuModel, byModel[start].GpuModel, StringComparison.OrdinalIgnoreCase))
            {
                end++;
            }
            modelBuckets[byModel[start].GpuModel] = Ranges(byModel, start, end);
            start = end;
        }
    }

    public static decimal FloorPrice(CloudOffer offer) =>
        offer.SpotPricePerHour is { } spot ? Math.Min(spot, offer.OnDemandPricePerHour) : offer.OnDemandPricePerHour;

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
            var model = job.AcceptableGpuModels[i];
            if (IsRepeat(job.AcceptableGpuModels, i) || !modelBuckets.TryGetValue(model, out var buckets))
            {
                continue;
            }
            Add(buckets, job.Gpus, into);
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

    private static OfferBucket[] Ranges(CloudOffer[] sorted, int from, int to)
    {
        var buckets = new List<OfferBucket>();
        for (var start = from; start < to;)
        {
            var end = start;
            while (end < to && sorted[end].GpusPerInstance == sorted[start].GpusPerInstance)
            {
                end++;
            }
            buckets.Add(new OfferBucket(sorted[start].GpusPerInstance, new ArraySegment<CloudOffer>(sorted, start, end - start)));
            start = end;
        }
        return [.. buckets];
    }

    private static int BySizeThenPrice(CloudOffer a, CloudOffer b)
    {
        var c = a.GpusPerInstance.CompareTo(b.GpusPerInstance);
        if (c == 0)
        {
            c = FloorPrice(a).CompareTo(FloorPrice(b));
        }
        return c != 0 ? c : OfferOrder.Compare(a, b);
    }
}

internal readonly record struct OfferBucket(int GpusPerInstance, ArraySegment<CloudOffer> Offers);
