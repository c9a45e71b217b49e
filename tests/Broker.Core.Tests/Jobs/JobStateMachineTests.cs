using Broker.Core.Errors;
using Broker.Core.Jobs;

namespace Broker.Core.Tests.Jobs;

public sealed class JobStateMachineTests
{
    [Theory]
    [InlineData(JobState.Pending, JobState.Placed)]
    [InlineData(JobState.Placed, JobState.Starting)]
    [InlineData(JobState.Starting, JobState.Running)]
    [InlineData(JobState.Running, JobState.Succeeded)]
    [InlineData(JobState.Running, JobState.Pending)]
    [InlineData(JobState.Running, JobState.Cancelled)]
    [InlineData(JobState.Starting, JobState.Pending)]
    public void Legal_moves_are_allowed(JobState from, JobState to) => Assert.True(JobStateMachine.CanMove(from, to));

    [Theory]
    [InlineData(JobState.Pending, JobState.Running)]
    [InlineData(JobState.Pending, JobState.Succeeded)]
    [InlineData(JobState.Succeeded, JobState.Cancelled)]
    [InlineData(JobState.Failed, JobState.Pending)]
    [InlineData(JobState.Cancelled, JobState.Running)]
    [InlineData(JobState.Running, JobState.Placed)]
    public void Illegal_moves_are_refused(JobState from, JobState to) => Assert.False(JobStateMachine.CanMove(from, to));

    [Fact]
    public void Moving_a_job_records_an_event_and_refusing_leaves_it_unchanged()
    {
        var job = new Job { Id = Guid.NewGuid() };
        var at = DateTimeOffset.UnixEpoch;

        job.MoveTo(JobState.Placed, JobEventKind.Placed, "on gpu-a", at);
        var error = Assert.Throws<ConflictException>(() => job.MoveTo(JobState.Succeeded, JobEventKind.Finished, "x", at));

        Assert.Equal(JobState.Placed, job.State);
        Assert.Single(job.Events);
        Assert.Contains("placed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Terminal_states_have_no_way_out()
    {
        Assert.All(Enum.GetValues<JobState>(), s =>
            Assert.Equal(s is JobState.Succeeded or JobState.Failed or JobState.Cancelled, JobStateMachine.IsTerminal(s)));
    }
}
