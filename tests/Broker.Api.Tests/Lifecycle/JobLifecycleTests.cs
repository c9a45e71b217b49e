using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Broker.Providers.Simulated;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

[Collection(LifecycleCollection.Name)]
public sealed class JobLifecycleTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private static JsonObject Body(string name, int gpus, string[] models, bool spot, string[] command, int minutes = 5)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = gpus, ["models"] = new JsonArray([.. models.Select(m => (JsonNode)m)]) };
        body["spot"] = new JsonObject { ["allowed"] = spot };
        body["command"] = new JsonArray([.. command.Select(c => (JsonNode)c)]);
        body["estimatedDurationMinutes"] = minutes;
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    private async Task<bool> InStateAsync(HttpClient client, string id, string state) => (await JobApi.GetAsync(client, id)).Str("state") == state;

    [Fact]
    public async Task A_job_runs_on_idle_onprem_gpus_through_slurm_and_completes()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "onprem"));
        var job = await JobApi.SubmitAsync(client, Body("onprem-sleep", 2, ["H100-80GB"], false, ["sleep", "2"]));

        await app.StepUntilAsync(() => InStateAsync(client, job.Id(), "succeeded"), "the Slurm job to finish");

        var done = await JobApi.GetAsync(client, job.Id());
        Assert.Equal(["submitted", "placed", "starting", "started", "finished"], done["timeline"]!.AsArray().Select(e => e!.Str("kind")));
        Assert.Contains("on-prem node gpu-h100", done["timeline"]![1]!.Str("message"), StringComparison.Ordinal);
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task A_job_with_no_onprem_model_bursts_to_a_cloud_instance_and_leaves_nothing_behind()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "burst"));
        var job = await JobApi.SubmitAsync(client, Body("cloud-a10g", 1, ["A10G"], true, ["python", "train.py"], minutes: 30));

        await app.StepUntilAsync(() => InStateAsync(client, job.Id(), "succeeded"), "the cloud job to finish");
        await app.StepUntilAsync(async () =>
        {
            await using var db = app.NewDbContext();
            return !await db.Allocations.AnyAsync(a => a.State != AllocationState.Closed);
        }, "the instance to be released");

        var done = await JobApi.GetAsync(client, job.Id());
        var placed = done["timeline"]!.AsArray().Single(e => e!.Str("kind") == "placed")!.Str("message");
        Assert.Contains("(spot)", placed, StringComparison.Ordinal);
        await using var db = app.NewDbContext();
        var segment = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(job.Id()));
        Assert.Equal(("A10G", CapacityType.Spot, AllocationEnd.Completed), (segment.GpuModel, segment.Market, segment.End!.Value));
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task Cancelling_a_provisioning_job_terminates_what_was_created()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "cancel"));
        var job = await JobApi.SubmitAsync(client, Body("cancel-me", 1, ["L4"], false, ["sleep", "600"], minutes: 60));
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, job.Id())).Str("state") is "starting" or "running", "the job to start");

        (await client.PostAsync($"/v1/jobs/{job.Id()}/cancel", null)).Dispose();
        await app.StepUntilAsync(async () =>
        {
            await using var db = app.NewDbContext();
            return !await db.Allocations.AnyAsync(a => a.JobId == Guid.Parse(job.Id()) && a.State != AllocationState.Closed);
        }, "the allocation to close");

        Assert.Equal("cancelled", (await JobApi.GetAsync(client, job.Id())).Str("state"));
        await Invariants.CheckAsync(app);
    }

    [Fact]
    public async Task A_spot_interruption_requeues_the_job_which_then_completes_with_two_segments()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "spot"));
        var body = Body("spot-ckpt", 1, ["A10G"], true, ["python", "train.py"], minutes: 120);
        body["spot"] = new JsonObject { ["allowed"] = true, ["checkpointIntervalMinutes"] = 10 };
        var job = await JobApi.SubmitAsync(client, body);
        await app.StepUntilAsync(() => InStateAsync(client, job.Id(), "running"), "the first segment to run");

        var first = await app.WithScopeAsync(s => s.GetRequiredService<Broker.Core.Persistence.BrokerDbContext>().Allocations
            .AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(job.Id()) && a.State == AllocationState.Running));
        var noticed = await app.WithScopeAsync(async s =>
        {
            var notice = new InstanceEvent(first.Id, InstanceEventKind.InterruptionNotice, InstanceEvent.SeqOf(InstanceEventKind.InterruptionNotice), null);
            return await s.GetRequiredService<AllocationWorker>().HandleEventAsync(notice, CallbackPurpose.CloudInstance, default);
        });
        Assert.Equal(InstanceEventResult.Accepted, noticed.Result);
        await app.StepUntilAsync(() => InStateAsync(client, job.Id(), "succeeded"), "the requeued job to finish");

        var kinds = (await JobApi.GetAsync(client, job.Id()))["timeline"]!.AsArray().Select(e => e!.Str("kind")).ToList();
        Assert.Equal(2, kinds.Count(k => k == "started"));
        Assert.Contains("preempted", kinds);
        await using var db = app.NewDbContext();
        var segments = await db.Allocations.AsNoTracking().Where(a => a.JobId == Guid.Parse(job.Id())).OrderBy(a => a.CreatedAt).ToListAsync();
        Assert.Equal([AllocationEnd.Interrupted, AllocationEnd.Completed], segments.Select(a => a.End!.Value));
        var (lost, second) = (segments[0], segments[1]);
        Assert.False(second.Market == CapacityType.Spot && (second.Provider, second.Region, second.InstanceType) == (lost.Provider, lost.Region, lost.InstanceType),
            "the interrupted spot offer is blocked, so the second segment runs elsewhere");
        var offer = await db.Offers.SingleAsync(o => o.Provider == lost.Provider && o.Region == lost.Region && o.Zone == lost.Zone && o.InstanceType == lost.InstanceType);
        Assert.Equal(1, offer.ObservedInterruptions);
        Assert.Equal(1, (await db.Jobs.SingleAsync(j => j.Id == Guid.Parse(job.Id()))).Interruptions);
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task A_create_whose_response_was_lost_converges_on_one_instance()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "lost"));
        var job = await JobApi.SubmitAsync(client, Body("lost-response", 1, ["A10G"], false, ["python", "train.py"], minutes: 30));
        var allocationId = (await app.WithScopeAsync(s => s.GetRequiredService<Broker.Core.Scheduling.PlacementRound>().RunAsync(default))).Single();
        var allocation = await app.WithScopeAsync(s => s.GetRequiredService<Broker.Core.Persistence.BrokerDbContext>().Allocations
            .AsNoTracking().SingleAsync(a => a.Id == allocationId));

        // The cloud created the instance, but Broker never recorded it (the process died before the commit).
        var cloud = app.Services.GetRequiredService<ComputeProviders>().Get(allocation.Provider);
        var created = await cloud.CreateAsync(new InstanceRequest(allocation.Id, allocation.JobId, allocation.Region!, allocation.Zone,
            allocation.InstanceType!, allocation.Market, null, "#!/bin/bash\n# BROKER_SIM_DURATION_SECONDS=60\n"), default);
        await app.StepUntilAsync(() => InStateAsync(client, job.Id(), "succeeded"), "the job to finish");

        var instances = app.Services.GetRequiredService<SimulatedInstanceEvents>().For(allocationId).Select(e => e.InstanceId).Distinct();
        Assert.Equal([created.InstanceId], instances);
        await app.StepUntilAsync(async () => !(await cloud.ListManagedAsync(default)).Any(i => i.AllocationId == allocationId), "the instance to go");
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task An_orphan_managed_instance_is_terminated_by_the_reconciler()
    {
        var cloud = app.Services.GetRequiredService<ComputeProviders>().Get("aws");
        var orphan = await cloud.CreateAsync(new InstanceRequest(Guid.NewGuid(), Guid.NewGuid(), "us-east-1", null, "g5.xlarge",
            CapacityType.OnDemand, null, "#!/bin/bash\n"), default);

        await app.StepUntilAsync(async () => !(await cloud.ListManagedAsync(default)).Any(i => i.InstanceId == orphan.InstanceId),
            "the orphan to be terminated");
    }

    [Fact]
    public async Task Instance_callbacks_need_the_instance_token()
    {
        using var anonymous = app.CreateClient();
        var allocation = Guid.NewGuid();
        var body = new { kind = "started", seq = 1 };

        using var noToken = await anonymous.PostAsJsonAsync($"/v1/instances/{allocation}/events", body);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/instances/{allocation}/events") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", app.Services.GetRequiredService<CallbackTokens>()
            .Issue(Guid.NewGuid(), InstanceEventKind.Started, CallbackPurpose.CloudInstance, DateTimeOffset.UtcNow.AddHours(1)));
        using var otherToken = await anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherToken.StatusCode);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LifecycleCollection
{
    public const string Name = "lifecycle";
}
