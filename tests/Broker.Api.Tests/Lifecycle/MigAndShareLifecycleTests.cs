using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>MIG slices and shared GPUs placed by the engine on the real local cluster (ADR 0011).</summary>
[Collection(LifecycleCollection.Name)]
public sealed class MigAndShareLifecycleTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private static JsonObject Body(string name, JsonObject gpu, string[] command, int minutes = 5)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = gpu;
        body["spot"] = new JsonObject { ["allowed"] = false };
        body["command"] = new JsonArray([.. command.Select(c => (JsonNode)c)]);
        body["estimatedDurationMinutes"] = minutes;
        body["cpuCores"] = 2;
        body["memoryGb"] = 8;
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    [Fact]
    public async Task A_mig_job_runs_on_the_mig_node_and_a_profile_no_node_declares_gets_no_on_prem_option()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "gang"));
        var slice = await JobApi.SubmitAsync(client, Body("mig-slice", new JsonObject { ["count"] = 1, ["migProfile"] = "1g.10gb" }, ["sleep", "1"]));
        var undeclared = await JobApi.SubmitAsync(client, Body("mig-undeclared", new JsonObject { ["count"] = 1, ["migProfile"] = "2g.20gb" }, ["sleep", "1"]));

        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, slice.Id())).Str("state") == "succeeded", "the MIG job to finish");

        await using var db = app.NewDbContext();
        var segment = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(slice.Id()));
        Assert.Equal(("gpu-a100mig-1", "1g.10gb", AllocationEnd.Completed), (segment.Node, segment.GpuModel, segment.End!.Value));
        var other = await JobApi.GetAsync(client, undeclared.Id());
        Assert.Contains("no on-prem node declares MIG profile 2g.20gb", other["placement"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.False(await db.Allocations.AnyAsync(a => a.JobId == Guid.Parse(undeclared.Id()) && a.Market == CapacityType.OnPrem));
        (await client.PostAsync($"/v1/jobs/{undeclared.Id()}/cancel", null)).Dispose();
        await app.StepUntilAsync(async () =>
        {
            await using var check = app.NewDbContext();
            return !await check.Allocations.AnyAsync(a => a.State != AllocationState.Closed);
        }, "everything to close");
    }

    [Fact]
    public async Task Shared_jobs_on_two_shared_gpus_of_a_node_reach_the_engine_as_tenants_of_their_own_gpu()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "gang"));
        // 3 shards of an L4's 4, then 2: the second does not fit beside the first, so the node has two shared GPUs.
        var ids = new List<string>();
        foreach (var (name, share) in new[] { ("three-quarters", 0.75), ("half", 0.5) })
        {
            ids.Add((await JobApi.SubmitAsync(client, Body(name,
                new JsonObject { ["count"] = 1, ["share"] = share, ["models"] = new JsonArray("L4") }, ["sleep", "60"], minutes: 30))).Id());
        }
        try
        {
            await app.StepUntilAsync(async () =>
            {
                foreach (var id in ids)
                {
                    if ((await JobApi.GetAsync(client, id)).Str("state") != "running")
                    {
                        return false;
                    }
                }
                return true;
            }, "both shared jobs to run");
            await app.WithScopeAsync(s => s.GetRequiredService<InventorySync>().RunAsync(default));

            var snapshot = await app.WithScopeAsync(s => s.GetRequiredService<PlacementSnapshotBuilder>().BuildAsync(TimeProvider.System, default));

            var node = snapshot.Nodes.Single(n => n.Name == "gpu-l4-1");
            Assert.Equal(2, node.SharedGpuShards!.Count);
            Assert.Equal([2, 3], node.SharedTenants!.Select(t => t.Shards).Order());
            Assert.Equal(2, node.SharedTenants!.Select(t => t.SharedGpu).Distinct().Count());
            Assert.All(node.SharedTenants!, t => Assert.Equal(node.SharedGpuShards[t.SharedGpu], t.Shards));
            Assert.All(new[] { 0, 1 }, g => Assert.NotNull(node.TenantsExplaining(g)));
        }
        finally
        {
            foreach (var id in ids)
            {
                (await client.PostAsync($"/v1/jobs/{id}/cancel", null)).Dispose();
            }
            await app.StepUntilAsync(async () =>
            {
                await using var check = app.NewDbContext();
                return !await check.Allocations.AnyAsync(a => a.State != AllocationState.Closed);
            }, "the shared jobs to close");
        }
    }

    [Fact]
    public async Task Shared_jobs_pack_onto_one_gpu_so_the_other_gpus_of_the_node_stay_whole()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "gang"));
        var shares = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            shares.Add((await JobApi.SubmitAsync(client, Body($"quarter-{i}",
                new JsonObject { ["count"] = 1, ["share"] = 0.25, ["models"] = new JsonArray("L4") }, ["sleep", "60"], minutes: 30))).Id());
        }
        await app.StepUntilAsync(async () =>
        {
            foreach (var id in shares)
            {
                if ((await JobApi.GetAsync(client, id)).Str("state") != "running")
                {
                    return false;
                }
            }
            return true;
        }, "the four quarters to run");

        // Four quarters fill one L4 (4 shards); the node's three other GPUs stay whole for a 3-GPU job now.
        var whole = await JobApi.SubmitAsync(client, Body("whole-three", new JsonObject { ["count"] = 3, ["models"] = new JsonArray("L4") }, ["sleep", "1"]));
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, whole.Id())).Str("state") == "succeeded", "the 3-GPU job to finish");

        await using var db = app.NewDbContext();
        var segments = await db.Allocations.AsNoTracking().Where(a => shares.Select(Guid.Parse).Contains(a.JobId)).ToListAsync();
        Assert.Equal(4, segments.Count);
        Assert.All(segments, s => Assert.Equal("gpu-l4-1", s.Node));
        var wholeSegment = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(whole.Id()));
        Assert.Equal(("gpu-l4-1", CapacityType.OnPrem), (wholeSegment.Node, wholeSegment.Market));
        var node = await db.OnPremNodes.AsNoTracking().SingleAsync(n => n.Name == "gpu-l4-1");
        foreach (var id in shares)
        {
            (await client.PostAsync($"/v1/jobs/{id}/cancel", null)).Dispose();
        }
        await app.StepUntilAsync(async () =>
        {
            await using var check = app.NewDbContext();
            return !await check.Allocations.AnyAsync(a => a.State != AllocationState.Closed);
        }, "the shares to close");
        Assert.Equal(16, node.ShardTotal);
        await Invariants.CheckAsync(app);
    }
}
