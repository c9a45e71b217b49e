namespace Broker.Core.Capacity;

/// <summary>Where a run segment executes and how it is paid for.</summary>
public enum CapacityType
{
    OnPrem,
    Spot,
    OnDemand,
}
