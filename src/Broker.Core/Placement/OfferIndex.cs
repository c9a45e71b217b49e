namespace Broker.Core.Placement;

/// <summary>
/// Cloud offers bucketed by GPU model and GPUs per instance, each bucket sorted by its cheapest hourly price, so a job
/// only looks at instances big enough for its gang, of a model it accepts, cheapest first, and can stop early.
/// </summary>
internal sealed class OfferIndex
{
    private readonly Dictionary<string, OfferBucket[]> byModel;
    private readonly OfferBucket[] anyModel;

    public OfferIndex(IReadOnlyList<CloudOffer> offers)
    {
        byModel = offers.GroupBy(o => o.GpuModel, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => Buckets(g), StringComparer.OrdinalIgnoreCase);
        anyModel = Buckets(offers);
    }

    public static decimal FloorPrice(CloudOffer offer) =>
        offer.SpotPricePerHour is { } spot ? Math.Min(spot, offer.OnDemandPricePerHour) : offer.OnDemandPricePerHour;

    /// <summary>The buckets a job may use: acceptable model, at least as many GPUs per instance as the job needs.</summary>
    public IEnumerable<OfferBucket> BucketsFor(PendingJob job)
    {
        if (job.AcceptsAnyModel)
        {
            return anyModel.Where(b => b.GpusPerInstance >= job.Gpus);
        }
        return job.AcceptableGpuModels
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(byModel.ContainsKey)
            .SelectMany(model => byModel[model])
            .Where(b => b.GpusPerInstance >= job.Gpus);
    }

    private static OfferBucket[] Buckets(IEnumerable<CloudOffer> offers) =>
        offers.GroupBy(o => o.GpusPerInstance)
            .OrderBy(g => g.Key)
            .Select(g => new OfferBucket(g.Key, g.OrderBy(FloorPrice).ThenBy(o => o, OfferOrder.Instance).ToArray()))
            .ToArray();
}

internal sealed record OfferBucket(int GpusPerInstance, CloudOffer[] Offers);
