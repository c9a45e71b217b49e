using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;

namespace Broker.Core.Tests.Provisioning;

public sealed class JobLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static (Job Job, Allocation Allocation) Placed(CapacityType market = CapacityType.Spot, TimeSpan? checkpointEvery = null)
    {
        var job = new Job { Id = Guid.NewGuid(), Team = "vision", EstimatedDuration = TimeSpan.FromHours(2), CheckpointInterval = checkpointEvery };
        job.MoveTo(JobState.Placed, JobEventKind.Placed, "placed", T0);
        var allocation = new Allocation
        {
            Id = Guid.NewGuid(), JobId = job.Id, Market = market, Provider = market == CapacityType.OnPrem ? "slurm" : "aws",
            Region = "us-east-1", InstanceType = "p5.48xlarge", Node = market == CapacityType.OnPrem ? "gpu-a" : null,
            Gpus = 1, State = AllocationState.Requested, CreatedAt = T0,
        };
        return (job, allocation);
    }

    private static (Job Job, Allocation Allocation) Running(CapacityType market = CapacityType.Spot, TimeSpan? checkpointEvery = null)
    {
        var (job, allocation) = Placed(market, checkpointEvery);
        JobLifecycle.Provisioning(job, allocation, "i-1", T0.AddSeconds(5));
        JobLifecycle.Started(job, allocation, T0.AddMinutes(1));
        return (job, allocation);
    }

    [Fact]
    public void A_migration_ends_the_cloud_segment_keeps_the_checkpointed_work_and_is_not_an_interruption_and_applies_once()
    {
        var (job, allocation) = Running(CapacityType.OnDemand, TimeSpan.FromMinutes(10));
        var at = T0.AddMinutes(1 + 35);

        var moved = JobLifecycle.Migrated(job, allocation, "on-prem node gpu-a", at);
        var again = JobLifecycle.Migrated(job, allocation, "on-prem node gpu-a", at.AddMinutes(5));

        Assert.Equal((true, false), (moved, again));
        Assert.Equal((AllocationState.Releasing, AllocationEnd.Migrated, at), (allocation.State, allocation.End!.Value, allocation.EndedAt!.Value));
        Assert.Equal((JobState.Pending, TimeSpan.FromMinutes(30), 0, 1), (job.State, job.SavedProgress, job.Interruptions, job.Migrations));
        var last = job.Events[^1];
        Assert.Equal(JobEventKind.Migrated, last.Kind);
        Assert.Contains("to on-prem node gpu-a", last.Message, StringComparison.Ordinal);
        Assert.Single(job.Events, e => e.Kind == JobEventKind.Migrated);
    }

    [Fact]
    public void Only_a_running_cloud_segment_of_a_running_job_migrates()
    {
        var (starting, launching) = Placed(CapacityType.OnDemand, TimeSpan.FromMinutes(10));
        JobLifecycle.Provisioning(starting, launching, "i-1", T0.AddSeconds(5));
        var (onPremJob, onPrem) = Running(CapacityType.OnPrem, TimeSpan.FromMinutes(10));

        Assert.False(JobLifecycle.Migrated(starting, launching, "on-prem node gpu-a", T0.AddHours(1)));
        Assert.False(JobLifecycle.Migrated(onPremJob, onPrem, "on-prem node gpu-b", T0.AddHours(1)));
        Assert.Equal((AllocationState.Provisioning, AllocationState.Running), (launching.State, onPrem.State));
        Assert.Equal((JobState.Starting, JobState.Running), (starting.State, onPremJob.State));
    }

    [Fact]
    public void A_move_off_a_node_ends_the_on_prem_segment_keeps_the_checkpointed_work_counts_as_a_move_and_applies_once()
    {
        var (job, allocation) = Running(CapacityType.OnPrem, TimeSpan.FromMinutes(10));
        var at = T0.AddMinutes(1 + 25);

        var moved = JobLifecycle.MovedOffNode(job, allocation, "on-prem node gpu-b", at);
        var again = JobLifecycle.MovedOffNode(job, allocation, "on-prem node gpu-b", at.AddMinutes(5));

        Assert.Equal((true, false), (moved, again));
        Assert.Equal((AllocationState.Releasing, AllocationEnd.Migrated, at), (allocation.State, allocation.End!.Value, allocation.EndedAt!.Value));
        Assert.Equal((JobState.Pending, TimeSpan.FromMinutes(20), 0, 1), (job.State, job.SavedProgress, job.Interruptions, job.Migrations));
        Assert.Contains("to on-prem node gpu-b", Assert.Single(job.Events, e => e.Kind == JobEventKind.Migrated).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_running_single_node_on_prem_segment_of_a_running_job_moves_off_its_node()
    {
        var (cloudJob, cloud) = Running(CapacityType.OnDemand, TimeSpan.FromMinutes(10));
        var (gangJob, gang) = Running(CapacityType.OnPrem, TimeSpan.FromMinutes(10));
        gang.MemberNodes = ["gpu-a", "gpu-c"];
        var (starting, submitted) = Placed(CapacityType.OnPrem, TimeSpan.FromMinutes(10));
        JobLifecycle.Provisioning(starting, submitted, "42", T0.AddSeconds(5));

        Assert.False(JobLifecycle.MovedOffNode(cloudJob, cloud, "on-prem node gpu-b", T0.AddHours(1)));
        Assert.False(JobLifecycle.MovedOffNode(gangJob, gang, "on-prem node gpu-b", T0.AddHours(1)));
        Assert.False(JobLifecycle.MovedOffNode(starting, submitted, "on-prem node gpu-b", T0.AddHours(1)));
        Assert.Equal((AllocationState.Running, AllocationState.Running, AllocationState.Provisioning), (cloud.State, gang.State, submitted.State));
        Assert.Equal((0, 0, 0), (cloudJob.Migrations, gangJob.Migrations, starting.Migrations));
    }

    [Fact]
    public void Provisioning_then_started_moves_both_once_even_when_repeated()
    {
        var (job, allocation) = Placed();

        JobLifecycle.Provisioning(job, allocation, "i-1", T0.AddSeconds(5));
        JobLifecycle.Provisioning(job, allocation, "i-2", T0.AddSeconds(6));
        JobLifecycle.Started(job, allocation, T0.AddMinutes(1));
        JobLifecycle.Started(job, allocation, T0.AddMinutes(2));

        Assert.Equal((AllocationState.Running, "i-1", T0.AddMinutes(1)), (allocation.State, allocation.ExternalId, allocation.StartedAt));
        Assert.Equal((JobState.Running, 1), (job.State, job.Attempts));
        Assert.Equal([JobEventKind.Placed, JobEventKind.Starting, JobEventKind.Started], job.Events.Select(e => e.Kind));
    }

    [Fact]
    public void A_start_reported_before_the_launch_was_recorded_is_moved_to_the_launch()
    {
        var (job, allocation) = Placed(CapacityType.OnPrem);
        JobLifecycle.Provisioning(job, allocation, "4711", T0.AddSeconds(3));

        JobLifecycle.Started(job, allocation, T0.AddSeconds(2));

        Assert.Equal(T0.AddSeconds(3), allocation.StartedAt);
    }

    [Fact]
    public void A_slurm_end_in_whole_seconds_before_the_scripts_start_keeps_the_timeline_in_order()
    {
        // The script reported its start with milliseconds; Slurm's start and end, both in whole seconds, come earlier.
        var (job, allocation) = Placed(CapacityType.OnPrem);
        JobLifecycle.Provisioning(job, allocation, "4711", T0.AddSeconds(1));
        JobLifecycle.Started(job, allocation, T0.AddMilliseconds(6200));
        JobLifecycle.CorrectStart(allocation, T0.AddSeconds(5));

        JobLifecycle.Finished(job, allocation, 125, T0.AddSeconds(6));

        Assert.Equal(JobEventKind.Failed, job.Events.OrderBy(e => e.At).Last().Kind);
        Assert.Equal((T0.AddSeconds(5), T0.AddSeconds(6)), (allocation.StartedAt, allocation.EndedAt));
    }

    [Fact]
    public void Finishing_with_zero_succeeds_and_with_another_code_fails_with_the_scripts_reason()
    {
        var (ok, okAllocation) = Running();
        var (bad, badAllocation) = Running();
        badAllocation.ReportedReason = "image not in the site store";

        JobLifecycle.Finished(ok, okAllocation, 0, T0.AddMinutes(30));
        JobLifecycle.Finished(bad, badAllocation, 3, T0.AddMinutes(30));
        JobLifecycle.Finished(ok, okAllocation, 1, T0.AddMinutes(40));

        Assert.Equal((AllocationState.Releasing, AllocationEnd.Completed, T0.AddMinutes(30)), (okAllocation.State, okAllocation.End, okAllocation.EndedAt));
        Assert.Equal(JobState.Succeeded, ok.State);
        Assert.Equal((AllocationEnd.Failed, "exit code 3: image not in the site store"), (badAllocation.End, badAllocation.EndReason));
        Assert.Equal(JobState.Failed, bad.State);
    }

    [Fact]
    public void A_cloud_segment_that_never_started_cannot_finish_but_an_on_prem_one_takes_slurms_start()
    {
        var (cloudJob, cloud) = Placed();
        var (onPremJob, onPrem) = Placed(CapacityType.OnPrem);

        JobLifecycle.Finished(cloudJob, cloud, 0, T0.AddMinutes(10));
        JobLifecycle.Finished(onPremJob, onPrem, 0, T0.AddMinutes(10), startedAt: T0.AddMinutes(2));

        Assert.Equal((AllocationState.Requested, JobState.Placed), (cloud.State, cloudJob.State));
        Assert.Equal((AllocationState.Releasing, T0.AddMinutes(2)), (onPrem.State, onPrem.StartedAt));
        Assert.Equal(JobState.Succeeded, onPremJob.State);
    }

    [Fact]
    public void An_interruption_requeues_the_job_with_whole_checkpoints_kept()
    {
        var (job, allocation) = Running(checkpointEvery: TimeSpan.FromMinutes(10));

        JobLifecycle.Interrupted(job, allocation, AllocationEnd.Interrupted, "spot interrupted", T0.AddMinutes(36));
        JobLifecycle.Interrupted(job, allocation, AllocationEnd.Interrupted, "spot interrupted", T0.AddMinutes(37));

        Assert.Equal((AllocationState.Releasing, AllocationEnd.Interrupted), (allocation.State, allocation.End));
        Assert.Equal((JobState.Pending, 1), (job.State, job.Interruptions));
        Assert.Equal(TimeSpan.FromMinutes(30), job.SavedProgress);
        Assert.Equal(JobEventKind.Preempted, job.Events[^1].Kind);
    }

    [Fact]
    public void A_launch_failure_requeues_without_a_limit_and_fails_the_job_with_one()
    {
        var (requeued, first) = Placed();
        var (failed, second) = Placed();

        JobLifecycle.LaunchFailed(requeued, first, AllocationEnd.LaunchTimeout, "nothing ran", giveUpAfter: null, T0.AddMinutes(15));
        JobLifecycle.LaunchFailed(failed, second, AllocationEnd.LaunchFailed, "bad image", giveUpAfter: 1, T0.AddMinutes(1));

        Assert.Equal((AllocationState.Releasing, JobState.Pending, JobEventKind.Requeued), (first.State, requeued.State, requeued.Events[^1].Kind));
        Assert.Equal((AllocationState.Releasing, AllocationEnd.LaunchFailed, JobState.Failed), (second.State, second.End, failed.State));
        Assert.Contains("not retried", failed.Events[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lease_expires_only_for_a_running_segment()
    {
        var (waiting, placed) = Placed();
        var (hung, running) = Running();

        JobLifecycle.LeaseExpired(waiting, placed, TimeSpan.FromHours(4), T0.AddHours(5));
        JobLifecycle.LeaseExpired(hung, running, TimeSpan.FromHours(4), T0.AddHours(5));

        Assert.Equal(AllocationState.Requested, placed.State);
        Assert.Equal((AllocationState.Releasing, AllocationEnd.Failed, JobState.Failed), (running.State, running.End, hung.State));
    }

    [Fact]
    public void Closing_ends_a_cloud_segment_when_its_instance_is_gone_and_keeps_the_on_prem_end()
    {
        var (_, cloud) = Running();
        var (_, onPrem) = Running(CapacityType.OnPrem);
        JobLifecycle.Cancelled(cloud, T0.AddMinutes(20));
        JobLifecycle.Cancelled(onPrem, T0.AddMinutes(20));

        JobLifecycle.Closed(cloud, T0.AddMinutes(22));
        JobLifecycle.Closed(onPrem, T0.AddMinutes(22));
        JobLifecycle.Closed(cloud, T0.AddMinutes(30));

        Assert.Equal((AllocationState.Closed, AllocationEnd.Cancelled, T0.AddMinutes(22)), (cloud.State, cloud.End, cloud.EndedAt));
        Assert.Equal((AllocationState.Closed, T0.AddMinutes(20)), (onPrem.State, onPrem.EndedAt));
    }

    [Fact]
    public void A_closed_allocation_is_left_alone_by_every_later_move()
    {
        var (job, allocation) = Running();
        JobLifecycle.Finished(job, allocation, 0, T0.AddMinutes(30));
        JobLifecycle.Closed(allocation, T0.AddMinutes(31));

        JobLifecycle.Provisioning(job, allocation, "i-9", T0.AddMinutes(32));
        JobLifecycle.Started(job, allocation, T0.AddMinutes(32));
        JobLifecycle.Interrupted(job, allocation, AllocationEnd.Vanished, "gone", T0.AddMinutes(32));
        JobLifecycle.LaunchFailed(job, allocation, AllocationEnd.LaunchFailed, "x", 1, T0.AddMinutes(32));
        JobLifecycle.Cancelled(allocation, T0.AddMinutes(32));

        Assert.Equal((AllocationState.Closed, AllocationEnd.Completed, JobState.Succeeded), (allocation.State, allocation.End, job.State));
    }
}
