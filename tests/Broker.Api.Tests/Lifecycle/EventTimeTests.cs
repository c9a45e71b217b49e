using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Faults;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>Segment times and the job's timeline are Slurm's own start and end of the job, not the moments Broker polled.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class EventTimeTests(LifecycleApp app, ITestOutputHelper output) : IClassFixture<LifecycleApp>
{
    [Fact]
    public async Task A_five_second_onprem_job_starts_and_finishes_when_slurm_says_about_five_seconds_apart()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "onprem"));
        var submitted = Stopwatch.StartNew();
        var job = await JobApi.SubmitAsync(client, FaultJobs.Body("five-seconds", ["H100-80GB"], ["sleep", "5"]));
        await app.StepUntilAsync(async () => await FaultJobs.StateAsync(client, job.Id()) is "running" or "succeeded", "the job to run");
        var seenRunning = submitted.Elapsed;
        var seenRunningAt = DateTimeOffset.UtcNow;
        await app.StepUntilAsync(async () => await FaultJobs.StateAsync(client, job.Id()) == "succeeded", "the job to finish");

        await using var db = app.NewDbContext();
        var segment = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(job.Id()));
        var slurm = await app.WithScopeAsync(s => s.GetRequiredService<IOnPremCluster>().GetJobAsync(segment.Id, default));
        var timeline = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}"))!["timeline"]!.AsArray();
        DateTimeOffset At(string kind) => timeline.Single(e => e!.Str("kind") == kind)!["at"]!.GetValue<DateTimeOffset>();
        output.WriteLine($"submit -> running seen {seenRunning.TotalSeconds:0.00} s, {(seenRunningAt - slurm!.StartedAt!.Value).TotalSeconds:0.00} s after Slurm's start; Slurm {slurm?.StartedAt:O} .. {slurm?.EndedAt:O}; " +
            $"segment {segment.StartedAt:O} .. {segment.EndedAt:O}; timeline {At("started"):O} .. {At("finished"):O}");

        Assert.NotNull(slurm);
        Assert.Equal(slurm.StartedAt!.Value.ToUnixTimeSeconds(), segment.StartedAt!.Value.ToUnixTimeSeconds());
        Assert.Equal(slurm.EndedAt!.Value.ToUnixTimeSeconds(), segment.EndedAt!.Value.ToUnixTimeSeconds());
        Assert.InRange((segment.EndedAt - segment.StartedAt).Value.TotalSeconds, 4, 7);
        Assert.InRange((At("finished") - At("started")).TotalSeconds, 4, 7);
        Assert.Equal(slurm.EndedAt.Value.ToUnixTimeSeconds(), At("finished").ToUnixTimeSeconds());
        Assert.InRange((At("started") - slurm.StartedAt.Value).TotalSeconds, 0, 1);
    }
}
