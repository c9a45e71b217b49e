using Broker.Core.Provisioning;
using Broker.Providers.Slurm;

namespace Broker.Providers.Tests.Slurm;

public sealed class SlurmStateMappingTests
{
    [Theory]
    [InlineData("idle", new string[0], OnPremNodeState.Idle)]
    [InlineData("mixed", new string[0], OnPremNodeState.Mixed)]
    [InlineData("allocated", new[] { "COMPLETING" }, OnPremNodeState.Allocated)]
    [InlineData("idle", new[] { "DRAIN" }, OnPremNodeState.Drained)]
    [InlineData("mixed", new[] { "DRAIN" }, OnPremNodeState.Drained)]
    [InlineData("allocated", new[] { "FAIL" }, OnPremNodeState.Drained)]
    [InlineData("down", new string[0], OnPremNodeState.Down)]
    [InlineData("down", new[] { "DRAIN" }, OnPremNodeState.Down)]
    [InlineData("idle", new[] { "NOT_RESPONDING" }, OnPremNodeState.Down)]
    [InlineData("error", new string[0], OnPremNodeState.Down)]
    [InlineData("IDLE+DRAIN", new string[0], OnPremNodeState.Drained)]
    [InlineData("unknown", new string[0], OnPremNodeState.Unknown)]
    [InlineData(null, null, OnPremNodeState.Unknown)]
    public void Maps_node_state_and_flags(string? state, string[]? flags, OnPremNodeState expected) =>
        Assert.Equal(expected, SlurmNodeStates.Map(state, flags));

    [Theory]
    [InlineData("PENDING", OnPremJobState.Pending)]
    [InlineData("CONFIGURING", OnPremJobState.Pending)]
    [InlineData("REQUEUED", OnPremJobState.Pending)]
    [InlineData("RUNNING", OnPremJobState.Running)]
    [InlineData("COMPLETING", OnPremJobState.Running)]
    [InlineData("SUSPENDED", OnPremJobState.Running)]
    [InlineData("COMPLETED", OnPremJobState.Completed)]
    [InlineData("FAILED", OnPremJobState.Failed)]
    [InlineData("OUT_OF_MEMORY", OnPremJobState.Failed)]
    [InlineData("BOOT_FAIL", OnPremJobState.Failed)]
    [InlineData("CANCELLED", OnPremJobState.Cancelled)]
    [InlineData("TIMEOUT", OnPremJobState.TimedOut)]
    [InlineData("NODE_FAIL", OnPremJobState.NodeFailed)]
    [InlineData("PREEMPTED", OnPremJobState.Preempted)]
    [InlineData("running", OnPremJobState.Running)]
    [InlineData("SOMETHING_NEW", OnPremJobState.Pending)]
    public void Maps_job_states(string slurmState, OnPremJobState expected) => Assert.Equal(expected, SlurmJobStates.Map(slurmState));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(768, 3)]
    [InlineData(256, 1)]
    [InlineData(9, 137)]
    [InlineData(15, 143)]
    public void Decodes_the_wait_status_into_a_shell_exit_code(int waitStatus, int exitCode) =>
        Assert.Equal(exitCode, SlurmJobStates.DecodeExitCode(waitStatus));
}
