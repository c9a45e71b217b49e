using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>A lease of 1 minute x 0.05 = 3 s: a job that sleeps far longer than its estimate outlives it.</summary>
public sealed class ShortLeaseApp : LifecycleApp
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Lifecycle:LeaseFactor"] = "0.05",
        ["Lifecycle:LeaseGrace"] = "00:00:00",
    };
}

[Collection(LifecycleCollection.Name)]
public sealed class LeaseTests(ShortLeaseApp app) : IClassFixture<ShortLeaseApp>
{
    internal static JsonObject Body(string name, string[] models, string[] command)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = 1, ["models"] = new JsonArray([.. models.Select(m => (JsonNode)m)]) };
        body["spot"] = new JsonObject { ["allowed"] = false };
        body["command"] = new JsonArray([.. command.Select(c => (JsonNode)c)]);
        body["estimatedDurationMinutes"] = 1;
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    [Fact]
    public async Task A_running_onprem_segment_past_its_lease_is_cancelled_and_its_job_fails_with_lease_expired()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "lease"));
        var job = await JobApi.SubmitAsync(client, Body("hangs", ["L4"], ["sleep", "600"]));

        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, job.Id())).Str("state") == "failed", "the lease to expire");

        var done = await JobApi.GetAsync(client, job.Id());
        var last = done["timeline"]!.AsArray().Last()!;
        Assert.Equal("failed", last.Str("kind"));
        Assert.Contains("lease expired", last.Str("message"), StringComparison.Ordinal);
        Assert.Contains("started", done["timeline"]!.AsArray().Select(e => e!.Str("kind")));
        await using var db = app.NewDbContext();
        var segment = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(job.Id()));
        Assert.Equal((AllocationState.Closed, AllocationEnd.Failed), (segment.State, segment.End!.Value));
        Assert.StartsWith("lease expired", segment.EndReason, StringComparison.Ordinal);
        Assert.True(segment.EndedAt - segment.StartedAt >= TimeSpan.FromSeconds(3), "torn down before the lease ran out");
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task A_job_that_finishes_within_its_lease_succeeds()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "lease-ok"));
        var job = await JobApi.SubmitAsync(client, Body("quick", ["H100-80GB"], ["true"]));

        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, job.Id())).Str("state") is "succeeded" or "failed", "the job to end");

        Assert.Equal("succeeded", (await JobApi.GetAsync(client, job.Id())).Str("state"));
        await Invariants.AssertNothingLeftAsync(app);
    }
}

/// <summary>The same 3 s lease plus a grace of 30 s, as a replica's stall would need while the script retries its posts.</summary>
public sealed class LeaseGraceApp : LifecycleApp
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Lifecycle:LeaseFactor"] = "0.05",
        ["Lifecycle:LeaseGrace"] = "00:00:30",
    };
}

[Collection(LifecycleCollection.Name)]
public sealed class LeaseGraceTests(LeaseGraceApp app) : IClassFixture<LeaseGraceApp>
{
    [Fact]
    public async Task A_segment_past_estimate_times_factor_but_within_the_grace_is_not_failed()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "lease-grace"));
        var job = await JobApi.SubmitAsync(client, LeaseTests.Body("outlives-factor", ["L4"], ["sleep", "8"]));

        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, job.Id())).Str("state") is "succeeded" or "failed", "the job to end");

        Assert.Equal("succeeded", (await JobApi.GetAsync(client, job.Id())).Str("state"));
        await using var db = app.NewDbContext();
        var segment = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(job.Id()));
        Assert.True(segment.EndedAt - segment.StartedAt > TimeSpan.FromSeconds(3), "the segment never outlived estimate x factor");
        await Invariants.AssertNothingLeftAsync(app);
    }
}
