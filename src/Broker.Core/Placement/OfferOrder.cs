namespace Broker.Core.Placement;

/// <summary>Ordinal order of offers by provider, region, zone and instance type: the deterministic tie-breaker.</summary>
internal sealed class OfferOrder : IComparer<CloudOffer>
{
    public static readonly OfferOrder Instance = new();

    public static int Compare(CloudOffer a, CloudOffer b)
    {
        var c = string.CompareOrdinal(a.Provider, b.Provider);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Region, b.Region);
        }
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Zone, b.Zone);
        }
        return c != 0 ? c : string.CompareOrdinal(a.InstanceType, b.InstanceType);
    }

    int IComparer<CloudOffer>.Compare(CloudOffer? x, CloudOffer? y) =>
        x is null || y is null ? Comparer<object>.Default.Compare(x, y) : Compare(x, y);
}
