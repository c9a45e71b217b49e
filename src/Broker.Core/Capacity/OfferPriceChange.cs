namespace Broker.Core.Capacity;

/// <summary>
/// A price of one offer's market changed at <see cref="At"/> (written by the price refresher), so a run that spans the
/// change is billed at each price for its own time.
/// </summary>
public sealed class OfferPriceChange
{
    public long Id { get; set; }

    public string Provider { get; set; } = "";

    public string Region { get; set; } = "";

    public string? Zone { get; set; }

    public string InstanceType { get; set; } = "";

    public CapacityType Market { get; set; }

    public DateTimeOffset At { get; set; }

    public decimal? PreviousPricePerHour { get; set; }

    public decimal? PricePerHour { get; set; }
}
