namespace Broker.Core.Provisioning;

/// <summary>A move <see cref="AllocationStateMachine"/> does not allow: a bug in the caller, never the user's doing.</summary>
public sealed class IllegalAllocationMoveException(Guid allocationId, AllocationState from, AllocationState to)
    : InvalidOperationException($"Allocation {allocationId:D} is {Words(from)}; it cannot become {Words(to)}.")
{
    public AllocationState From { get; } = from;

    public AllocationState To { get; } = to;

    private static string Words(AllocationState state) => state.ToString().ToLowerInvariant();
}
