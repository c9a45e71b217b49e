using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Faults;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Provisioning;
using Broker.Providers.Simulated;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>The lifecycle app (vanish grace 1 s) with an on-prem team of its own.</summary>
public sealed class VanishApp : LifecycleApp
{
    public const string Team = "vanish";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        [$"OnPrem:Teams:{Team}:User"] = SlurmServer.TeamUserA,
    };
}

/// <summary>
/// A running segment whose machine disappears behind Broker's back is closed and its job requeued exactly once: one more
/// segment, never a failed job, and reconciling again changes nothing.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class VanishTests(VanishApp app) : IClassFixture<VanishApp>
{
    [Fact]
    public async Task A_cloud_instance_that_vanishes_closes_its_segment_as_vanished_and_requeues_the_job_once()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", VanishApp.Team));
        var job = await JobApi.SubmitAsync(client, FaultJobs.Body("vanish-cloud", ["A10G"], ["python", "train.py"], minutes: 600));
        await app.StepUntilAsync(async () => await FaultJobs.StateAsync(client, job.Id()) == "running", "the cloud job to run");
        var first = await LiveSegmentAsync(job.Id());

        // Someone terminates the instance in the cloud's console: it is simply gone from the provider's list.
        var cloud = app.Services.GetRequiredService<SimulatedClouds>()[first.Provider];
        await cloud.TerminateAsync(first.Region!, first.Zone, first.ExternalId!, default);
        await Task.Delay(TimeSpan.FromSeconds(1.2));

        await AssertRequeuedOnceAsync(client, job.Id(), first.Id, AllocationEnd.Vanished, "The instance vanished");
    }

    public static TheoryData<string, AllocationEnd, string> BehindBrokersBack => new()
    {
        // The test cluster keeps ended jobs for MinJobAge (30 min), so a purge is played by renaming the job away from the
        // allocation's name and cancelling it: Slurm then reports no job of that name, which is all a purge looks like.
        { "purged", AllocationEnd.Vanished, "The Slurm job vanished" },
        // An operator's scancel: Slurm still reports the job, CANCELLED; the segment is interrupted, not vanished.
        { "cancelled", AllocationEnd.Interrupted, "Slurm job Cancelled" },
    };

    [Theory]
    [MemberData(nameof(BehindBrokersBack))]
    public async Task A_slurm_job_that_goes_behind_brokers_back_closes_its_segment_and_requeues_the_job_once(string how, AllocationEnd end, string reason)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", VanishApp.Team));
        var job = await JobApi.SubmitAsync(client, FaultJobs.Body($"vanish-{how}", ["L4"], ["sleep", "600"], minutes: 60));
        await app.StepUntilAsync(async () => await FaultJobs.StateAsync(client, job.Id()) == "running", "the Slurm job to run");
        var first = await LiveSegmentAsync(job.Id());

        if (how == "purged")
        {
            await SlurmControl.RenameAsync(first.ExternalId!, "renamed-by-test");
        }
        await SlurmControl.CancelAsync(first.ExternalId!);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await SlurmControl.StateAsync(first.ExternalId!) != "CANCELLED")
        {
            Assert.True(DateTime.UtcNow < deadline, "Slurm never recorded the cancel");
            await Task.Delay(250);
        }

        await AssertRequeuedOnceAsync(client, job.Id(), first.Id, end, reason);
    }

    /// <summary>
    /// Two reconciler rounds close the segment with <paramref name="end"/> and requeue the job once; placement then runs it
    /// again in one new segment, and more rounds change neither count. Cancels the job at the end.
    /// </summary>
    private async Task AssertRequeuedOnceAsync(HttpClient client, string jobId, Guid firstId, AllocationEnd end, string reason)
    {
        var rounds = new[] { await ReconcileAsync(), await ReconcileAsync() };

        Assert.Equal(end == AllocationEnd.Vanished ? 1 : 0, rounds.Sum(r => r.Vanished));
        var segments = await app.SegmentsAsync(jobId);
        var closed = Assert.Single(segments);
        Assert.Equal((firstId, AllocationState.Closed, end), (closed.Id, closed.State, closed.End!.Value));
        Assert.Equal(reason, closed.EndReason);
        Assert.Equal("pending", await FaultJobs.StateAsync(client, jobId));

        await app.StepUntilAsync(async () => await FaultJobs.StateAsync(client, jobId) == "running", "the requeued job to run again");
        await ReconcileAsync();
        await ReconcileAsync();

        segments = await app.SegmentsAsync(jobId);
        Assert.Equal(2, segments.Count);
        Assert.Equal(firstId, segments[0].Id);
        Assert.Equal(AllocationState.Running, segments[1].State);
        Assert.Equal("running", await FaultJobs.StateAsync(client, jobId));
        var timeline = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{jobId}"))!["timeline"]!.AsArray();
        var requeues = timeline.Where(e => e!.Str("message").Contains("requeued", StringComparison.Ordinal)).ToList();
        Assert.Equal(reason, Assert.Single(requeues)!.Str("message").Split(" on ")[0]);
        Assert.Equal(2, timeline.Count(e => e!.Str("kind") == "started"));
        Assert.DoesNotContain(timeline, e => e!.Str("kind") == "failed");

        (await client.PostAsync($"/v1/jobs/{jobId}/cancel", null)).EnsureSuccessStatusCode();
        await app.StepUntilAsync(async () => (await app.SegmentsAsync(jobId)).All(a => a.State == AllocationState.Closed), "the job to be released");
        await Invariants.CheckAsync(app);
    }

    private Task<Reconciler.Result> ReconcileAsync() => app.WithScopeAsync(s => s.GetRequiredService<Reconciler>().RunAsync(default));

    private async Task<Allocation> LiveSegmentAsync(string jobId) =>
        (await app.SegmentsAsync(jobId)).Single(a => a.State == AllocationState.Running);
}
