using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Broker.Api.Tests;

/// <summary>A site with no cloud configured: only its on-prem nodes can run a job.</summary>
public sealed class OnPremOnlyApp : BrokerApp
{
    protected override void OverrideServices(IServiceCollection services) => services.RemoveAll<IComputeProvider>();

    public async Task ANodeAsync(string name, int gpus, int shardTotal)
    {
        await using var db = NewDbContext();
        db.OnPremNodes.Add(new OnPremNodeRecord
        {
            Name = name, GpuModel = "A100-80GB", GpuTotal = gpus, ShardTotal = shardTotal, State = OnPremNodeState.Idle, Cpus = 64,
            MemoryMb = 512_000, Present = true, LastSeenAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    public static JsonObject QuarterGpuJob(string name)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = QuarterGpu();
        return body;
    }

    public static JsonObject QuarterGpu() => new() { ["count"] = 1, ["share"] = 0.25 };
}

/// <summary>
/// A share of a GPU runs only on a node with gres/shard (ADR 0011): where no node has shards and no cloud is configured, a
/// shared job could never run, so it is refused at the door (issue 14), naming <c>gpu.share</c>.
/// </summary>
public sealed class ShareWithoutShardsTests(OnPremOnlyApp app) : IClassFixture<OnPremOnlyApp>
{
    [Fact]
    public async Task A_share_is_422_naming_gpu_share_and_stores_nothing_where_no_node_has_shards()
    {
        await app.ANodeAsync("noshard-1", gpus: 4, shardTotal: 0);
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var name = $"quarter-{Guid.NewGuid():N}";

        using var response = await JobApi.PostAsync(client, OnPremOnlyApp.QuarterGpuJob(name));
        using var whole = await JobApi.PostAsync(client, WholeGpuJob($"whole-{Guid.NewGuid():N}"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal(["gpu.share"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Contains("gres/shard", errors.GetProperty("gpu.share")[0].GetString(), StringComparison.Ordinal);
        await using var db = app.NewDbContext();
        Assert.DoesNotContain(db.Jobs, j => j.Name == name);
        // The same node takes a whole GPU: it is the share, not the site, that nothing can run.
        Assert.Equal(HttpStatusCode.Created, whole.StatusCode);
    }

    [Fact]
    public async Task Preview_says_why_a_share_cannot_run_where_no_node_has_shards()
    {
        await app.ANodeAsync("noshard-2", gpus: 4, shardTotal: 0);
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        using var response = await ops.PostAsJsonAsync("/v1/placement/preview", new JsonObject { ["gpu"] = OnPremOnlyApp.QuarterGpu() });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var feasibility = (await JobApi.ReadAsync(response))["feasibility"]!;
        Assert.False(feasibility["feasible"]!.GetValue<bool>());
        Assert.Equal("gpu.share", feasibility.Str("field"));
        Assert.Contains("gres/shard", feasibility.Str("reason"), StringComparison.Ordinal);
        Assert.Empty(feasibility["options"]!.AsArray());
    }

    private static JsonObject WholeGpuJob(string name)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = 1 };
        return body;
    }
}

/// <summary>The same request on a site that has a node with shards is accepted and previewed as fitting that node.</summary>
public sealed class ShareWithShardsTests(OnPremOnlyApp app) : IClassFixture<OnPremOnlyApp>
{
    [Fact]
    public async Task A_share_is_accepted_where_a_node_has_shards()
    {
        await app.ANodeAsync("noshard-1", gpus: 4, shardTotal: 0);
        await app.ANodeAsync("shard-1", gpus: 4, shardTotal: 16);
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var name = $"quarter-{Guid.NewGuid():N}";

        using var response = await JobApi.PostAsync(client, OnPremOnlyApp.QuarterGpuJob(name));
        using var preview = await ops.PostAsJsonAsync("/v1/placement/preview", new JsonObject { ["gpu"] = OnPremOnlyApp.QuarterGpu() });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(0.25m, (await JobApi.ReadAsync(response))["gpu"]!["share"]!.GetValue<decimal>());
        await using var db = app.NewDbContext();
        Assert.Single(db.Jobs, j => j.Name == name);
        var feasibility = (await JobApi.ReadAsync(preview))["feasibility"]!;
        Assert.True(feasibility["feasible"]!.GetValue<bool>());
        Assert.Equal(["one on-prem A100-80GB node"], feasibility["options"]!.AsArray().Select(o => o!.GetValue<string>()));
    }
}
