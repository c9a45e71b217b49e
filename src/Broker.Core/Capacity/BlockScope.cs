namespace Broker.Core.Capacity;

/// <summary>How much of a provider a capacity error rules out for a while.</summary>
public enum BlockScope
{
    None,
    /// <summary>One instance type in one zone (or region when zones are not known) and market.</summary>
    Offering,
    Zone,
    Region,
    Provider,
}
