using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Api.Tests.Policies;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Fleet;

/// <summary>The lifecycle app with a configured lease of 0.2 x the estimate (12 s for a 1-minute job) and two more on-prem teams.</summary>
public sealed class FleetLifecycleApp : LifecycleApp
{
    public static readonly string[] LeaseTeams = ["lease-policy", "lease-kept"];

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings
        .Concat(LeaseTeams.Select(t => KeyValuePair.Create($"OnPrem:Teams:{t}:User", SlurmServer.TeamUserA))))
    {
        ["Lifecycle:LeaseFactor"] = "0.2",
        ["Lifecycle:LeaseGrace"] = "00:00:00",
    };
}

/// <summary>Terminate and per-policy lease factors on the real lifecycle (Slurm, simulated clouds, one simulated hour per second).</summary>
[Collection(LifecycleCollection.Name)]
public sealed class FleetLifecycleTests(FleetLifecycleApp app) : IClassFixture<FleetLifecycleApp>
{
    private static JsonObject Body(string name, string model, int minutes, string[] command)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = 1, ["models"] = new JsonArray(model) };
        body["spot"] = new JsonObject { ["allowed"] = true, ["checkpointIntervalMinutes"] = 10 };
        body["command"] = new JsonArray([.. command.Select(c => (JsonNode)c)]);
        body["estimatedDurationMinutes"] = minutes;
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    private static async Task<string> StateAsync(HttpClient client, string id) =>
        (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{id}"))!.Str("state");

    private async Task<Allocation> LiveSegmentAsync(string jobId)
    {
        await using var db = app.NewDbContext();
        return await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(jobId) && a.State != AllocationState.Closed);
    }

    [Theory]
    [InlineData("term-spot", "spot", CapacityType.Spot)]
    [InlineData("term-ondemand", "on-demand", CapacityType.OnDemand)]
    public async Task Terminating_a_running_instance_requeues_its_job_which_the_lifecycle_places_again(string team, string market,
        CapacityType expected)
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        await PolicyApi.ReplaceAsync(ops, team, $$"""{"markets":["{{market}}"]}""");
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", team));
        var job = (await JobApi.SubmitAsync(client, Body("terminate-me", "A10G", 1440, ["python", "train.py"]))).Id();
        await app.StepUntilAsync(async () => await StateAsync(client, job) == "running", "the job to run in the cloud");
        var first = await LiveSegmentAsync(job);
        Assert.Equal(expected, first.Market);
        var listed = await FleetRows.GetAsync(ops, $"/v1/instances?team={team}");
        Assert.Equal("running", FleetRows.Item(listed, first.Id).Str("state"));

        using var terminated = await ops.PostAsync($"/v1/instances/{first.Id}/terminate", null);
        Assert.Equal(HttpStatusCode.Accepted, terminated.StatusCode);

        var timeline = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job}"))!["timeline"]!.AsArray();
        Assert.Contains(timeline, e => e!.Str("kind") == "preempted" && e!.Str("message").Contains("Terminated by ops", StringComparison.Ordinal));
        Assert.Equal(1, await PolicyApi.AuditCountAsync(app, $"instance:{first.Id}"));
        var cloud = app.Services.GetRequiredService<ComputeProviders>().Get(first.Provider);
        await app.StepUntilAsync(async () => !(await cloud.ListManagedAsync(default)).Any(i => i.AllocationId == first.Id), "the instance to go");
        await app.StepUntilAsync(async () => await StateAsync(client, job) == "running", "the requeued job to run again");
        var second = await LiveSegmentAsync(job);
        Assert.NotEqual(first.Id, second.Id);
        await using (var db = app.NewDbContext())
        {
            var ended = await db.Allocations.AsNoTracking().SingleAsync(a => a.Id == first.Id);
            Assert.Equal((AllocationState.Closed, AllocationEnd.Terminated), (ended.State, ended.End!.Value));
            Assert.Equal(0, (await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == Guid.Parse(job))).Interruptions);
        }
        var closed = await FleetRows.GetAsync(ops, $"/v1/instances?team={team}&state=closed");
        Assert.True(FleetRows.Item(closed, first.Id)["costSoFar"]!.GetValue<decimal>() > 0, "a terminated instance is billed to its end");
        Assert.Equal(HttpStatusCode.Accepted, (await ops.PostAsync($"/v1/instances/{first.Id}/terminate", null)).StatusCode);
        Assert.Equal(1, await PolicyApi.AuditCountAsync(app, $"instance:{first.Id}"));

        (await client.PostAsync($"/v1/jobs/{job}/cancel", null)).Dispose();
        await app.StepUntilAsync(async () => await StateAsync(client, job) == "cancelled", "the job to be cancelled");
        await app.StepUntilAsync(async () =>
        {
            await using var db = app.NewDbContext();
            return !await db.Allocations.AnyAsync(a => a.JobId == Guid.Parse(job) && a.State != AllocationState.Closed);
        }, "the second segment to close");
        await Invariants.CheckAsync(app);
    }

    [Fact]
    public async Task The_teams_policy_lease_factor_outlasts_the_configured_one_for_the_segment_and_its_callback_tokens()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        await PolicyApi.ReplaceAsync(ops, "lease-policy", """{"leaseFactor":50}""");
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "lease-policy"));
        var job = (await JobApi.SubmitAsync(client, Body("outlives-config-lease", "L4", 1, ["sleep", "20"]))).Id();
        await app.StepUntilAsync(async () => await StateAsync(client, job) == "running", "the job to run on-prem");
        var segment = await LiveSegmentAsync(job);
        Assert.Equal(50, segment.LeaseFactor);

        var options = app.Services.GetRequiredService<LifecycleOptions>();
        var tokens = app.Services.GetRequiredService<CallbackTokens>();
        var jobRow = await app.WithScopeAsync(s => s.GetRequiredService<Broker.Core.Persistence.BrokerDbContext>().Jobs.AsNoTracking()
            .SingleAsync(j => j.Id == Guid.Parse(job)));
        var token = tokens.ForOnPremScript(segment, jobRow, options).Finished;
        var pastConfiguredLease = segment.CreatedAt + options.LaunchTimeout + TimeSpan.FromMinutes(10) + CallbackTokens.ExpiryMargin;
        Assert.True(tokens.Check(segment.Id, token, pastConfiguredLease).IsValid, "the token expired with the configured lease");
        Assert.False(tokens.Check(segment.Id, token, pastConfiguredLease + TimeSpan.FromMinutes(50)).IsValid);

        await app.StepUntilAsync(async () => await StateAsync(client, job) is "succeeded" or "failed", "the job to end");
        Assert.Equal("succeeded", await StateAsync(client, job));
        await Invariants.CheckAsync(app);
    }

    [Fact]
    public async Task A_running_segment_keeps_the_lease_it_started_with_when_the_policy_changes()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "lease-kept"));
        var job = (await JobApi.SubmitAsync(client, Body("keeps-its-lease", "L4", 1, ["sleep", "600"]))).Id();
        await app.StepUntilAsync(async () => await StateAsync(client, job) == "running", "the job to run on-prem");
        await PolicyApi.ReplaceAsync(ops, "lease-kept", """{"leaseFactor":50}""");
        Assert.Equal("running", await StateAsync(client, job));
        Assert.Equal(0.2, (await LiveSegmentAsync(job)).LeaseFactor);

        await app.StepUntilAsync(async () => await StateAsync(client, job) == "failed", "the lease it started with to expire");
        var last = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job}"))!["timeline"]!.AsArray().Last()!;
        Assert.Contains("lease expired", last.Str("message"), StringComparison.Ordinal);
        await Invariants.CheckAsync(app);
    }

    [Fact]
    public async Task A_running_cloud_job_finishes_on_its_instance_when_its_teams_policy_tightens()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "terms-kept"));
        var job = (await JobApi.SubmitAsync(client, Body("keeps-its-terms", "A10G", 600, ["python", "train.py"]))).Id();
        await app.StepUntilAsync(async () => await StateAsync(client, job) == "running", "the job to run in the cloud");
        await PolicyApi.ReplaceAsync(ops, "terms-kept", """{"burstingEnabled":false,"deadlineMarginMinutes":600,"markets":["on-demand"]}""");
        Assert.Equal("running", await StateAsync(client, job));

        await app.StepUntilAsync(async () => await StateAsync(client, job) is "succeeded" or "failed", "the job to end");
        Assert.Equal("succeeded", await StateAsync(client, job));
        await using var db = app.NewDbContext();
        var segment = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(job));
        Assert.Equal(AllocationEnd.Completed, segment.End);
        await Invariants.CheckAsync(app);
    }
}
