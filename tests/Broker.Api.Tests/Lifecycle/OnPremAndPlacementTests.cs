using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.OnPrem;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

[Collection(LifecycleCollection.Name)]
public sealed class OnPremAndPlacementTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    [Fact]
    public async Task Inventory_sync_shows_the_clusters_gpus_to_ops()
    {
        await app.WithScopeAsync(s => s.GetRequiredService<InventorySync>().RunAsync(default));
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        var nodes = (await ops.GetFromJsonAsync<JsonArray>("/v1/onprem/nodes"))!;

        var byModel = nodes.GroupBy(n => n!.Str("gpuModel")).ToDictionary(g => g.Key, g => g.Sum(n => n!["gpuTotal"]!.GetValue<int>()));
        Assert.Equal(16, byModel["H100-80GB"]);
        Assert.Equal(4, byModel["L4"]);
        Assert.Equal(8, byModel.Single(m => m.Key.StartsWith("A100", StringComparison.Ordinal)).Value);
        Assert.All(nodes, n => Assert.Equal(n!["gpuTotal"]!.GetValue<int>() - n["gpuUsed"]!.GetValue<int>(), n["gpuIdle"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Utilization_adds_up_gpu_hours_per_model_from_the_samples()
    {
        await using (var db = app.NewDbContext())
        {
            var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            for (var minute = 0; minute < 120; minute++)
            {
                db.NodeUtilizationSamples.Add(new NodeUtilizationSample { At = t0.AddMinutes(minute), Node = "util-a", GpuModel = "T4", GpuUsed = minute < 60 ? 4 : 2, GpuTotal = 4 });
            }
            await db.SaveChangesAsync();
        }
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));

        var report = (await finance.GetFromJsonAsync<JsonObject>("/v1/onprem/utilization?from=2026-01-01T00:00:00Z&to=2026-01-01T02:00:00Z&step=1h"))!;

        var buckets = report["buckets"]!.AsArray().Where(b => b!.Str("gpuModel") == "T4").ToList();
        Assert.Equal([4.0, 2.0], buckets.Select(b => b!["usedGpuHours"]!.GetValue<double>()));
        Assert.Equal([4.0, 4.0], buckets.Select(b => b!["availableGpuHours"]!.GetValue<double>()));
        Assert.Equal(6.0, report["usedGpuHours"]!.GetValue<double>(), 6);
    }

    [Theory]
    [InlineData("step=5x")]
    [InlineData("step=0h")]
    [InlineData("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&step=1m")]
    public async Task Bad_utilization_queries_are_4xx_problems(string query)
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));

        using var response = await finance.GetAsync("/v1/onprem/utilization?" + query);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, response.StatusCode.ToString());
        (await JobApi.ProblemAsync(response)).Dispose();
    }

    [Fact]
    public async Task Onprem_endpoints_check_roles()
    {
        using var submitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "roles"));

        using var nodes = await submitter.GetAsync("/v1/onprem/nodes");
        using var utilization = await submitter.GetAsync("/v1/onprem/utilization");
        using var preview = await submitter.PostAsync("/v1/placement/preview", null);

        Assert.Equal(HttpStatusCode.Forbidden, nodes.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, utilization.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, preview.StatusCode);
    }

    [Fact]
    public async Task Preview_explains_decisions_without_changing_anything_and_the_job_shows_its_latest_explanation()
    {
        await app.WithScopeAsync(s => s.GetRequiredService<InventorySync>().RunAsync(default));
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "preview"));
        // The API now refuses such a job (422); one accepted before that rule still sits in the queue, and preview explains it.
        var job = new JsonObject
        {
            ["id"] = (await app.WithScopeAsync(s => s.GetRequiredService<Broker.Core.Jobs.JobService>().SubmitAsync("preview",
                new Broker.Core.Jobs.JobSubmission("too-big", 63, ["H100-80GB"], null, 16, 128, "ghcr.io/acme/train:1.4", ["python"],
                    TimeSpan.FromMinutes(90), null, 10, false, null, null, new Dictionary<string, string>()), null, default))).Job.Id.ToString(),
        };
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        using var response = await ops.PostAsync("/v1/placement/preview", null);
        var preview = (await JobApi.ReadAsync(response))["decisions"]!.AsArray().Single(d => d!.Str("jobId") == job.Id())!;

        Assert.Equal("wait", preview.Str("action"));
        Assert.False(string.IsNullOrEmpty(preview.Str("chosen")));
        Assert.Equal("pending", (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}"))!.Str("state"));

        await app.WithScopeAsync(s => s.GetRequiredService<Broker.Core.Scheduling.PlacementRound>().RunAsync(default));
        var after = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}"))!;
        Assert.Equal("pending", after.Str("state"));
        Assert.Equal("wait", after["placement"]!.Str("action"));
        Assert.Equal(preview.Str("waitReason"), after["placement"]!.Str("waitReason"));
        (await client.PostAsync($"/v1/jobs/{job.Id()}/cancel", null)).Dispose();
    }
}
