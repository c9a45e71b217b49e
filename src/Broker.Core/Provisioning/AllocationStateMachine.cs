using System.Collections.Frozen;

namespace Broker.Core.Provisioning;

/// <summary>
/// The legal moves between allocation states, in one place; <see cref="JobLifecycle"/> makes every move through
/// <see cref="Move"/>. An allocation only goes forward: a segment that ends (from any live state) is released, and only a
/// released one closes.
/// </summary>
public static class AllocationStateMachine
{
    private static readonly FrozenDictionary<AllocationState, AllocationState[]> Allowed = new Dictionary<AllocationState, AllocationState[]>
    {
        // On-prem, Slurm may report a job running (or ended) before any poll saw it provisioning.
        [AllocationState.Requested] = [AllocationState.Provisioning, AllocationState.Running, AllocationState.Releasing],
        [AllocationState.Provisioning] = [AllocationState.Running, AllocationState.Releasing],
        [AllocationState.Running] = [AllocationState.Releasing],
        [AllocationState.Releasing] = [AllocationState.Closed],
        [AllocationState.Closed] = [],
    }.ToFrozenDictionary();

    public static bool CanMove(AllocationState from, AllocationState to) =>
        Allowed.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>Moves the allocation to <paramref name="to"/>, or throws <see cref="IllegalAllocationMoveException"/> and leaves it as it was.</summary>
    public static void Move(Allocation allocation, AllocationState to)
    {
        if (!CanMove(allocation.State, to))
        {
            throw new IllegalAllocationMoveException(allocation.Id, allocation.State, to);
        }
        allocation.State = to;
    }
}
