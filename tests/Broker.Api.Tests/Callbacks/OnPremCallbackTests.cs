using System.Net;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Callbacks;

/// <summary>On-prem, Slurm is the truth: a script's finished counts only once Slurm records the job's end.</summary>
public sealed class OnPremCallbackTests(CallbackApp app) : IClassFixture<CallbackApp>
{
    [Theory]
    [InlineData(OnPremJobState.Running)]
    [InlineData(OnPremJobState.Pending)]
    public async Task Finished_while_slurm_says_the_job_is_still_going_is_409_and_the_job_does_not_succeed(OnPremJobState state)
    {
        var segment = await app.SegmentAsync(onPrem: true, state: AllocationState.Running);
        app.Cluster.Says(segment.AllocationId, state);
        var before = await app.RowsAsync(segment);

        using var finished = await app.PostAsync(segment, InstanceEventKind.Finished, exitCode: 0);

        Assert.Equal(HttpStatusCode.Conflict, finished.StatusCode);
        using var problem = await JobApi.ProblemAsync(finished);
        Assert.Equal("slurm-still-running", problem.RootElement.GetProperty("reason").GetString());
        Assert.Equal(before, await app.RowsAsync(segment));
        Assert.Equal(JobState.Running, before.Job);
    }

    [Fact]
    public async Task A_reason_sent_while_slurm_still_runs_the_job_is_kept_and_shown_when_the_failure_is_recorded()
    {
        var segment = await app.SegmentAsync(onPrem: true, state: AllocationState.Running);
        app.Cluster.Says(segment.AllocationId, OnPremJobState.Running);
        const string Reason = "image 'ghcr.io/acme/x:1' is not in the site image store";
        var body = "{\"kind\":\"finished\",\"seq\":3,\"exitCode\":125,\"reason\":\"" + Reason + "\"}";

        using var early = await app.PostAsync(segment.AllocationId, segment.Tokens.Finished, body);
        var afterEarly = await app.RowsAsync(segment);
        app.Cluster.Says(segment.AllocationId, OnPremJobState.Failed);
        using var late = await app.PostAsync(segment.AllocationId, segment.Tokens.Finished, body);

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Accepted), (early.StatusCode, late.StatusCode));
        Assert.Equal((AllocationState.Running, JobState.Running), (afterEarly.Allocation, afterEarly.Job));
        await using var db = app.NewDbContext();
        var allocation = await db.Allocations.FindAsync(segment.AllocationId);
        var job = await db.Jobs.Include(j => j.Events).SingleAsync(j => j.Id == segment.JobId);
        Assert.Equal(Reason, allocation!.ReportedReason);
        // Slurm's exit code (7 here) stays the truth; the reason says why.
        Assert.Equal($"exit code 7: {Reason}", allocation.EndReason);
        Assert.Equal(JobState.Failed, job.State);
        Assert.EndsWith($": {Reason}.", job.Events.OrderBy(e => e.At).Last().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finished_after_slurm_recorded_the_end_takes_slurms_outcome()
    {
        var succeeded = await app.SegmentAsync(onPrem: true, state: AllocationState.Running);
        var failed = await app.SegmentAsync(onPrem: true, state: AllocationState.Running);
        app.Cluster.Says(succeeded.AllocationId, OnPremJobState.Completed);
        app.Cluster.Says(failed.AllocationId, OnPremJobState.Failed);

        using var first = await app.PostAsync(succeeded, InstanceEventKind.Finished, exitCode: 0);
        // The script claims success, but Slurm recorded a failure (exit code 7): Slurm wins.
        using var second = await app.PostAsync(failed, InstanceEventKind.Finished, exitCode: 0);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, second.StatusCode));
        Assert.Equal(JobState.Succeeded, (await app.RowsAsync(succeeded)).Job);
        Assert.Equal(JobState.Failed, (await app.RowsAsync(failed)).Job);
    }

    [Fact]
    public async Task Finished_while_slurm_cannot_be_asked_is_503_with_retry_after_and_changes_nothing()
    {
        var segment = await app.SegmentAsync(onPrem: true, state: AllocationState.Running);
        var before = await app.RowsAsync(segment);
        app.Cluster.Unreachable = true;
        try
        {
            using var finished = await app.PostAsync(segment, InstanceEventKind.Finished, exitCode: 0);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, finished.StatusCode);
            Assert.NotNull(finished.Headers.RetryAfter?.Delta);
            (await JobApi.ProblemAsync(finished)).Dispose();
            Assert.Equal(before, await app.RowsAsync(segment));
        }
        finally
        {
            app.Cluster.Unreachable = false;
        }
        app.Cluster.Says(segment.AllocationId, OnPremJobState.Completed);
        using var retried = await app.PostAsync(segment, InstanceEventKind.Finished, exitCode: 0);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal(JobState.Succeeded, (await app.RowsAsync(segment)).Job);
    }

    [Fact]
    public async Task A_replayed_onprem_finished_is_a_duplicate_without_asking_slurm_again()
    {
        var segment = await app.SegmentAsync(onPrem: true, state: AllocationState.Running);
        app.Cluster.Says(segment.AllocationId, OnPremJobState.Completed);
        (await app.PostAsync(segment, InstanceEventKind.Finished, exitCode: 0)).Dispose();
        var before = await app.RowsAsync(segment);
        var asked = app.Cluster.JobQueries;

        using var replay = await app.PostAsync(segment, InstanceEventKind.Finished, exitCode: 0);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(asked, app.Cluster.JobQueries);
        Assert.Equal(before, await app.RowsAsync(segment));
    }

    [Fact]
    public async Task Started_from_the_onprem_script_is_accepted_without_asking_slurm()
    {
        var segment = await app.SegmentAsync(onPrem: true);

        using var started = await app.PostAsync(segment, InstanceEventKind.Started);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal((AllocationState.Running, JobState.Running), ((await app.RowsAsync(segment)).Allocation, (await app.RowsAsync(segment)).Job));
    }
}
