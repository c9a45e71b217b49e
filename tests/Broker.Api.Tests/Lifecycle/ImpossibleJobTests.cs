using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.OnPrem;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>The local cluster has 2x8 H100, 2x4 A100, 1x4 L4; the seeded clouds have instances of at most 8 H100.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class ImpossibleJobTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    public static TheoryData<string, int, string[], int?, string> Impossible => new()
    {
        { "more H100s than two nodes hold, and only 1-GPU instances divide it (63 > 16 members)", 63, ["H100-80GB"], null, "gpu.count" },
        { "a prime count no equal per-node share fits", 17, ["H100-80GB"], null, "gpu.count" },
        { "more memory than any acceptable GPU has", 1, ["L4"], 80, "gpu.minMemoryGb" },
    };

    [Theory]
    [MemberData(nameof(Impossible))]
    public async Task A_job_no_configured_capacity_can_ever_run_is_refused_with_422_naming_the_field(
        string why, int count, string[] models, int? minMemoryGb, string field)
    {
        await app.WithScopeAsync(s => s.GetRequiredService<InventorySync>().RunAsync(default));
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "gangs"));
        var body = JobApi.ValidBody($"impossible-{count}");
        body["gpu"] = Gpu(count, models, minMemoryGb);

        using var response = await JobApi.PostAsync(client, body);

        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, why);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = await JobApi.ProblemAsync(response);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out var errors), why);
        Assert.False(string.IsNullOrWhiteSpace(errors[0].GetString()));
        var list = (await client.GetFromJsonAsync<JsonObject>("/v1/jobs"))!["items"]!.AsArray();
        Assert.DoesNotContain(list, j => j!.Str("name") == $"impossible-{count}");
    }

    [Fact]
    public async Task A_16_gpu_H100_job_is_accepted_as_a_gang_of_the_two_8_gpu_nodes_and_preview_says_so()
    {
        await app.WithScopeAsync(s => s.GetRequiredService<InventorySync>().RunAsync(default));
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        using var gang = await ops.PostAsJsonAsync("/v1/placement/preview", new JsonObject { ["gpu"] = Gpu(16, ["h100"], null) });
        using var impossible = await ops.PostAsJsonAsync("/v1/placement/preview", new JsonObject { ["gpu"] = Gpu(63, ["H100-80GB"], null) });

        Assert.Equal(HttpStatusCode.OK, gang.StatusCode);
        var fits = (await JobApi.ReadAsync(gang))["feasibility"]!;
        Assert.True(fits["feasible"]!.GetValue<bool>());
        Assert.Contains(fits["options"]!.AsArray(), o => o!.GetValue<string>() == "on-prem gang of 2 H100-80GB nodes x 8 GPUs");
        var refused = (await JobApi.ReadAsync(impossible))["feasibility"]!;
        Assert.False(refused["feasible"]!.GetValue<bool>());
        Assert.Equal("gpu.count", refused.Str("field"));
        Assert.Contains("2 nodes of at most 8 GPUs", refused.Str("reason"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_refuses_an_unknown_model_with_400()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        using var response = await ops.PostAsJsonAsync("/v1/placement/preview", new JsonObject { ["gpu"] = Gpu(1, ["<script>"], null) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static JsonObject Gpu(int count, string[] models, int? minMemoryGb)
    {
        var gpu = new JsonObject { ["count"] = count, ["models"] = new JsonArray([.. models.Select(m => (JsonNode)m)]) };
        if (minMemoryGb is { } gb)
        {
            gpu["minMemoryGb"] = gb;
        }
        return gpu;
    }
}
