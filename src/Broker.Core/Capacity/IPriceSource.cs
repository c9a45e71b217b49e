namespace Broker.Core.Capacity;

/// <summary>
/// A live price feed for one provider (AWS DescribeSpotPriceHistory, Azure Retail Prices API, GCP Cloud Billing Catalog).
/// Throws on failure; the catalog refresher then keeps the last good prices and records why.
/// </summary>
public interface IPriceSource
{
    string Provider { get; }

    Task<IReadOnlyList<PriceQuote>> FetchAsync(IReadOnlyCollection<PriceKey> wanted, CancellationToken cancellationToken);
}

/// <summary>Which instance type in which region a refresher wants prices for.</summary>
public sealed record PriceKey(string Region, string InstanceType);

/// <summary>One observed price, USD per instance-hour. <paramref name="Zone"/> is set for zonal spot prices.</summary>
public sealed record PriceQuote(string Provider, string Region, string? Zone, string InstanceType, CapacityType Market,
    decimal PricePerHour, DateTimeOffset ObservedAt);
