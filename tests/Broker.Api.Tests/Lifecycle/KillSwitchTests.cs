using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>The kill switch on the real lifecycle: new launches stop within one pass, running jobs finish.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class KillSwitchTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private static JsonObject CloudBody(string name, int minutes)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = 1, ["models"] = new JsonArray("A10G") };
        body["spot"] = new JsonObject { ["allowed"] = false };
        body["estimatedDurationMinutes"] = minutes;
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    private async Task<int> AllocationsOfAsync(string jobId)
    {
        await using var db = app.NewDbContext();
        return await db.Allocations.CountAsync(a => a.JobId == Guid.Parse(jobId));
    }

    [Fact]
    public async Task The_kill_switch_stops_new_launches_within_one_pass_while_running_jobs_finish()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "kill-switch"));
        var running = (await JobApi.SubmitAsync(team, CloudBody("before-stop", 60))).Id();
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(team, running)).Str("state") is "running", "the first job to run in the cloud");

        using (var stop = await ops.PostAsJsonAsync("/v1/bursting/stop", new { reason = "cloud bill review" }))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }
        var waiting = (await JobApi.SubmitAsync(team, CloudBody("after-stop", 60))).Id();
        await app.StepAsync();

        var job = await JobApi.GetAsync(team, waiting);
        Assert.Equal("pending", job.Str("state"));
        Assert.Contains("bursting stopped by ops", job["placement"]!["chosen"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(job["placement"]!["rejected"]!.AsArray(),
            r => r!["detail"]!.GetValue<string>().Contains("cloud bill review", StringComparison.Ordinal));
        Assert.Equal(0, await AllocationsOfAsync(waiting));
        var providers = (await ops.GetFromJsonAsync<JsonObject>("/v1/providers"))!;
        Assert.False(providers["bursting"]!["running"]!.GetValue<bool>());

        await app.StepUntilAsync(async () => (await JobApi.GetAsync(team, running)).Str("state") is "succeeded", "the running job to finish");
        Assert.Equal(0, await AllocationsOfAsync(waiting));

        (await ops.PostAsync("/v1/bursting/resume", null)).Dispose();
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(team, waiting)).Str("state") is "succeeded", "the waiting job to run after resume");
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task A_launch_already_placed_is_withheld_when_its_provider_is_drained_and_the_job_requeued_at_no_cost()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "drained"));
        var id = (await JobApi.SubmitAsync(team, CloudBody("drain-me", 30))).Id();
        var placed = await app.WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default));
        await using var db = app.NewDbContext();
        var allocation = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(id));
        Assert.Contains(allocation.Id, placed);

        using (var drain = await ops.PostAsJsonAsync($"/v1/providers/{allocation.Provider}/drain", new { reason = "quota review" }))
        {
            Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        }
        await app.WithScopeAsync(async s => { await s.GetRequiredService<AllocationWorker>().ProvisionAsync(allocation.Id, default); return 0; });

        var ended = await db.Allocations.AsNoTracking().SingleAsync(a => a.Id == allocation.Id);
        Assert.Equal(AllocationEnd.Withheld, ended.End);
        Assert.False(ended.IsLive && ended.State != AllocationState.Releasing, $"allocation still live: {ended.State}");
        Assert.Null(ended.ExternalId);
        Assert.Null(ended.StartedAt);
        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == Guid.Parse(id));
        Assert.Equal((JobState.Pending, 0), (job.State, job.Interruptions));
        var providers = (await ops.GetFromJsonAsync<JsonObject>("/v1/providers"))!;
        var drained = providers["items"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == allocation.Provider)!;
        Assert.Equal("quota review", drained["drained"]!["reason"]!.GetValue<string>());

        (await ops.PostAsync($"/v1/providers/{allocation.Provider}/undrain", null)).Dispose();
        (await team.PostAsync($"/v1/jobs/{id}/cancel", null)).Dispose();
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(team, id)).Str("state") is "cancelled", "the job to be cancelled");
    }
}
