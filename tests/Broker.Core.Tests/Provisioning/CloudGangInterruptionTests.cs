using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;

namespace Broker.Core.Tests.Provisioning;

/// <summary>Who ended each member of an interrupted cloud gang: the provider's reclaimed member, or Broker's termination.</summary>
public sealed class CloudGangInterruptionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static (Job Job, Allocation Gang) RunningGang(int members = 3)
    {
        var job = new Job { Id = Guid.NewGuid(), Team = "vision", EstimatedDuration = TimeSpan.FromHours(2) };
        job.MoveTo(JobState.Placed, JobEventKind.Placed, "placed", T0);
        var gang = new Allocation
        {
            Id = Guid.NewGuid(), JobId = job.Id, Market = CapacityType.Spot, Provider = "aws", Region = "us-east-1",
            InstanceType = "p5.48xlarge", Gpus = 8 * members, InstanceCount = members, State = AllocationState.Requested, CreatedAt = T0,
        };
        var ids = Enumerable.Range(1, members).Select(m => $"i-{m}").ToList();
        gang.MemberInstanceIds = ids;
        JobLifecycle.Provisioning(job, gang, ids[0], T0.AddSeconds(5));
        JobLifecycle.Started(job, gang, T0.AddMinutes(1));
        return (job, gang);
    }

    [Fact]
    public void The_reclaimed_member_keeps_the_interruption_and_the_others_are_terminated_by_Broker()
    {
        var (job, gang) = RunningGang();

        CloudGang.Interrupt(job, gang, [1], AllocationEnd.Interrupted, "was reclaimed by aws (spot interruption)", T0.AddMinutes(20));

        Assert.Equal([1], gang.ReclaimedMembers);
        Assert.Equal((AllocationState.Releasing, AllocationEnd.Interrupted), (gang.State, gang.End!.Value));
        Assert.Equal((JobState.Pending, 1), (job.State, job.Interruptions));
        var ends = CloudGang.MemberEnds(gang);
        Assert.Equal([AllocationEnd.Terminated, AllocationEnd.Interrupted, AllocationEnd.Terminated], ends.Select(e => e.End!.Value));
        Assert.Equal(["i-1", "i-2", "i-3"], ends.Select(e => e.InstanceId!));
        Assert.All(ends.Where(e => e.Member != 1), e => Assert.Equal("Terminated by Broker: gang member 2 of 3 (i-2) was interrupted", e.Reason));
        Assert.Contains("Gang member 2 of 3 (i-2) was reclaimed by aws", gang.EndReason, StringComparison.Ordinal);
        Assert.Contains("Broker terminates the other members 1 of 3 (i-1), 3 of 3 (i-3)", gang.EndReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_report_of_the_interruption_changes_neither_the_record_nor_the_job()
    {
        var (job, gang) = RunningGang();
        CloudGang.Interrupt(job, gang, [2], AllocationEnd.Interrupted, "was reclaimed by aws (spot interruption)", T0.AddMinutes(20));
        var reason = gang.EndReason;

        CloudGang.Interrupt(job, gang, [0], AllocationEnd.Interrupted, "vanished", T0.AddMinutes(21));

        Assert.Equal([2], gang.ReclaimedMembers);
        Assert.Equal((reason, T0.AddMinutes(20), 1), (gang.EndReason, gang.EndedAt!.Value, job.Interruptions));
        Assert.Single(job.Events, e => e.Kind == JobEventKind.Preempted);
    }

    [Fact]
    public void When_no_member_is_named_every_member_counts_as_terminated_by_Broker()
    {
        var (job, gang) = RunningGang(members: 2);

        CloudGang.Interrupt(job, gang, [], AllocationEnd.Interrupted, "was reclaimed by aws (spot interruption)", T0.AddMinutes(20));

        Assert.Null(gang.ReclaimedMembers);
        Assert.All(CloudGang.MemberEnds(gang), e => Assert.Equal(AllocationEnd.Terminated, e.End));
        Assert.Contains("which one was not reported", gang.EndReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_member_position_outside_the_gang_is_ignored_and_a_completed_gangs_members_all_completed()
    {
        var (job, gang) = RunningGang(members: 2);
        CloudGang.Interrupt(job, gang, [5, -1], AllocationEnd.Interrupted, "vanished", T0.AddMinutes(20));
        Assert.Null(gang.ReclaimedMembers);

        var (lost, gone) = RunningGang(members: 2);
        CloudGang.Interrupt(lost, gone, [0, 1], AllocationEnd.Interrupted, "vanished", T0.AddMinutes(20));
        Assert.Equal([0, 1], gone.ReclaimedMembers);
        Assert.Equal("Every gang member vanished", gone.EndReason);
        Assert.All(CloudGang.MemberEnds(gone), e => Assert.Equal(AllocationEnd.Interrupted, e.End));

        var (done, completed) = RunningGang(members: 2);
        JobLifecycle.Finished(done, completed, 0, T0.AddMinutes(30));
        Assert.All(CloudGang.MemberEnds(completed), e => Assert.Equal((AllocationEnd.Completed, completed.EndReason), (e.End!.Value, e.Reason)));
    }
}
