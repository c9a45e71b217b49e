using Broker.Core.Provisioning;

namespace Broker.Core.Tests.Provisioning;

public sealed class AllocationStateMachineTests
{
    [Theory]
    [InlineData(AllocationState.Requested, AllocationState.Provisioning)]
    [InlineData(AllocationState.Requested, AllocationState.Running)]
    [InlineData(AllocationState.Requested, AllocationState.Releasing)]
    [InlineData(AllocationState.Provisioning, AllocationState.Running)]
    [InlineData(AllocationState.Provisioning, AllocationState.Releasing)]
    [InlineData(AllocationState.Running, AllocationState.Releasing)]
    [InlineData(AllocationState.Releasing, AllocationState.Closed)]
    public void Forward_moves_are_allowed(AllocationState from, AllocationState to) => Assert.True(AllocationStateMachine.CanMove(from, to));

    [Theory]
    [InlineData(AllocationState.Requested, AllocationState.Closed)]
    [InlineData(AllocationState.Provisioning, AllocationState.Requested)]
    [InlineData(AllocationState.Running, AllocationState.Provisioning)]
    [InlineData(AllocationState.Running, AllocationState.Closed)]
    [InlineData(AllocationState.Releasing, AllocationState.Running)]
    [InlineData(AllocationState.Closed, AllocationState.Running)]
    [InlineData(AllocationState.Closed, AllocationState.Releasing)]
    public void Backward_and_skipping_moves_are_refused(AllocationState from, AllocationState to) =>
        Assert.False(AllocationStateMachine.CanMove(from, to));

    [Fact]
    public void No_state_moves_to_itself_and_closed_has_no_way_out()
    {
        Assert.All(Enum.GetValues<AllocationState>(), s => Assert.False(AllocationStateMachine.CanMove(s, s)));
        Assert.All(Enum.GetValues<AllocationState>(), s => Assert.False(AllocationStateMachine.CanMove(AllocationState.Closed, s)));
    }

    [Fact]
    public void An_illegal_move_throws_and_leaves_the_allocation_unchanged()
    {
        var allocation = new Allocation { Id = Guid.NewGuid(), State = AllocationState.Closed };

        var error = Assert.Throws<IllegalAllocationMoveException>(() => AllocationStateMachine.Move(allocation, AllocationState.Running));

        Assert.Equal(AllocationState.Closed, allocation.State);
        Assert.Equal((AllocationState.Closed, AllocationState.Running), (error.From, error.To));
        Assert.Contains(allocation.Id.ToString("D"), error.Message, StringComparison.Ordinal);
        Assert.Contains("closed", error.Message, StringComparison.Ordinal);
    }
}
