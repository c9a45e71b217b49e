namespace Broker.Core.Placement;

/// <summary>
/// A named placement strategy. Implementations are pure: the same snapshot gives the same plan, with no clock, I/O or
/// unseeded randomness, and no dependence on hash-table iteration order.
/// </summary>
public interface IPlacementStrategy
{
    string Name { get; }

    PlacementPlan Place(PlacementSnapshot snapshot);
}
