using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;

namespace Broker.Api.Tests.Callbacks;

/// <summary>Seq numbers and state rules: a replayed, reordered or misplaced event changes nothing.</summary>
public sealed class CallbackSequenceTests(CallbackApp app) : IClassFixture<CallbackApp>
{
    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        Assert.Equal(reason, problem.RootElement.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Started_then_finished_runs_the_segment_and_records_both_events()
    {
        var segment = await app.SegmentAsync();

        using var started = await app.PostAsync(segment, InstanceEventKind.Started);
        var running = await app.RowsAsync(segment);
        using var finished = await app.PostAsync(segment, InstanceEventKind.Finished, exitCode: 0);
        var done = await app.RowsAsync(segment);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal("accepted", (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        Assert.Equal((AllocationState.Running, JobState.Running), (running.Allocation, running.Job));
        Assert.Equal(HttpStatusCode.Accepted, finished.StatusCode);
        Assert.Equal(JobState.Succeeded, done.Job);
        Assert.NotEqual(AllocationState.Running, done.Allocation);
        Assert.StartsWith("1:Started::", done.Events, StringComparison.Ordinal);
        Assert.Contains(",3:Finished:0:", done.Events, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replay_of_an_accepted_event_is_answered_200_and_changes_nothing()
    {
        var segment = await app.SegmentAsync();
        (await app.PostAsync(segment, InstanceEventKind.Started)).Dispose();
        var before = await app.RowsAsync(segment);

        using var replay = await app.PostAsync(segment, InstanceEventKind.Started);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("duplicate", (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        Assert.Equal(before, await app.RowsAsync(segment));
    }

    [Fact]
    public async Task A_replay_of_finished_after_the_segment_ended_is_still_an_exact_duplicate()
    {
        var segment = await app.SegmentAsync(state: AllocationState.Running);
        (await app.PostAsync(segment, InstanceEventKind.Finished, exitCode: 4)).Dispose();
        var before = await app.RowsAsync(segment);

        using var replay = await app.PostAsync(segment, InstanceEventKind.Finished, exitCode: 4);
        using var changedMind = await app.PostAsync(segment, InstanceEventKind.Finished, exitCode: 0);

        Assert.Equal(JobState.Failed, before.Job);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        await AssertRefusedAsync(changedMind, HttpStatusCode.Conflict, "seq-reused");
        Assert.Equal(before, await app.RowsAsync(segment));
    }

    [Fact]
    public async Task The_same_seq_with_other_content_is_409_and_changes_nothing()
    {
        var segment = await app.SegmentAsync();
        (await app.PostAsync(segment, InstanceEventKind.Started, seq: 1)).Dispose();
        var before = await app.RowsAsync(segment);

        using var reused = await app.PostAsync(segment, InstanceEventKind.Finished, seq: 1, exitCode: 0);

        await AssertRefusedAsync(reused, HttpStatusCode.Conflict, "seq-reused");
        Assert.Equal(before, await app.RowsAsync(segment));
        Assert.Equal(JobState.Running, before.Job);
    }

    [Fact]
    public async Task An_out_of_order_event_is_409_and_changes_nothing_while_gaps_are_allowed()
    {
        var segment = await app.SegmentAsync();
        using var started = await app.PostAsync(segment, InstanceEventKind.Started, seq: 10);
        var before = await app.RowsAsync(segment);

        using var older = await app.PostAsync(segment, InstanceEventKind.Finished, seq: 9, exitCode: 0);
        var after = await app.RowsAsync(segment);
        using var later = await app.PostAsync(segment, InstanceEventKind.Finished, seq: 12, exitCode: 0);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await AssertRefusedAsync(older, HttpStatusCode.Conflict, "out-of-order");
        Assert.Equal(before, after);
        Assert.Equal(JobState.Running, after.Job);
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);
        Assert.Equal(JobState.Succeeded, (await app.RowsAsync(segment)).Job);
    }

    [Fact]
    public async Task Finished_before_started_is_409_and_does_not_finish_the_job()
    {
        var segment = await app.SegmentAsync();
        var before = await app.RowsAsync(segment);

        using var finished = await app.PostAsync(segment, InstanceEventKind.Finished, exitCode: 0);

        await AssertRefusedAsync(finished, HttpStatusCode.Conflict, "not-started");
        Assert.Equal(before, await app.RowsAsync(segment));
        Assert.Equal((AllocationState.Provisioning, JobState.Starting), (before.Allocation, before.Job));
    }

    [Theory]
    [InlineData(AllocationState.Releasing)]
    [InlineData(AllocationState.Closed)]
    public async Task An_event_for_an_allocation_that_is_no_longer_live_is_409_and_changes_nothing(AllocationState state)
    {
        var segment = await app.SegmentAsync(state: state);
        var before = await app.RowsAsync(segment);

        using var started = await app.PostAsync(segment, InstanceEventKind.Started);
        using var finished = await app.PostAsync(segment, InstanceEventKind.Finished, exitCode: 0);

        await AssertRefusedAsync(started, HttpStatusCode.Conflict, "not-live");
        await AssertRefusedAsync(finished, HttpStatusCode.Conflict, "not-live");
        Assert.Equal(before, await app.RowsAsync(segment));
        Assert.Equal(JobState.Pending, before.Job);
    }

    [Theory]
    [InlineData(1)][InlineData(2)][InlineData(3)][InlineData(4)][InlineData(5)][InlineData(6)]
    public async Task The_same_event_posted_many_times_at_once_is_accepted_once(int round)
    {
        var segment = await app.SegmentAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => app.PostAsync(segment, InstanceEventKind.Started)));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        _ = round;
        var seen = string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Count()} x {(int)g.Key}"));
        Assert.True(statuses.Count(s => s == HttpStatusCode.Accepted) == 1, seen);
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) == 19, seen);
        var rows = await app.RowsAsync(segment);
        Assert.Single(rows.Events.Split(','));
        Assert.Equal(JobState.Running, rows.Job);
    }

    [Fact]
    public async Task Started_and_finished_racing_each_other_never_finish_a_segment_that_was_not_running()
    {
        for (var round = 0; round < 5; round++)
        {
            var segment = await app.SegmentAsync();

            var both = await Task.WhenAll(app.PostAsync(segment, InstanceEventKind.Started), app.PostAsync(segment, InstanceEventKind.Finished, exitCode: 0));
            var (started, finished) = (both[0].StatusCode, both[1].StatusCode);
            foreach (var response in both)
            {
                response.Dispose();
            }

            var rows = await app.RowsAsync(segment);
            Assert.Equal(HttpStatusCode.Accepted, started);
            Assert.Equal(finished == HttpStatusCode.Accepted ? JobState.Succeeded : JobState.Running, rows.Job);
            Assert.Equal(finished == HttpStatusCode.Accepted ? 2 : 1, rows.Events.Split(',').Length);
        }
    }
}
