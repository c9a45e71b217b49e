namespace Broker.Core.Capacity;

/// <summary>Identifies what a capacity error blocks: provider, region, zone (may be null), instance type and market.</summary>
public sealed record OfferKey(string Provider, string Region, string? Zone, string InstanceType, CapacityType Market)
{
    public override string ToString() => $"{Provider}/{Region}/{Zone ?? "-"}/{InstanceType}/{Market}";
}
