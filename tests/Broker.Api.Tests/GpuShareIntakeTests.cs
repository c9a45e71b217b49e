using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests;

/// <summary><c>gpu.share</c> and <c>gpu.migProfile</c>: stored and shown, refused with 422 naming the field when they break a rule.</summary>
public sealed class GpuShareIntakeTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    private static JsonObject Body(JsonObject gpu)
    {
        var body = JobApi.ValidBody("shared-notebook");
        body["gpu"] = gpu;
        return body;
    }

    [Fact]
    public async Task A_share_is_stored_and_shown_by_get()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var submitted = await JobApi.SubmitAsync(client, Body(new JsonObject { ["count"] = 1, ["share"] = 0.25 }));

        var job = await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{submitted.Id()}");

        Assert.Equal(0.25m, job!["gpu"]!["share"]!.GetValue<decimal>());
        Assert.Null(job["gpu"]!["migProfile"]);
    }

    [Fact]
    public async Task A_mig_profile_is_stored_and_shown_by_get()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var submitted = await JobApi.SubmitAsync(client, Body(new JsonObject { ["count"] = 1, ["migProfile"] = "1g.10gb" }));

        var job = await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{submitted.Id()}");

        Assert.Equal("1g.10gb", job!["gpu"]!.Str("migProfile"));
        Assert.Null(job["gpu"]!["share"]);
    }

    public static TheoryData<string, string, string> Refused => new()
    {
        { "zero share", """{"count":1,"share":0}""", "gpu.share" },
        { "negative share", """{"count":1,"share":-0.5}""", "gpu.share" },
        { "share of one", """{"count":1,"share":1}""", "gpu.share" },
        { "share above one", """{"count":1,"share":1.5}""", "gpu.share" },
        { "share with too many decimals", """{"count":1,"share":0.123456}""", "gpu.share" },
        { "share of two GPUs", """{"count":2,"share":0.5}""", "gpu.share" },
        { "share and MIG profile", """{"count":1,"share":0.5,"migProfile":"1g.10gb"}""", "gpu.share" },
        { "MIG profile of two GPUs", """{"count":2,"migProfile":"1g.10gb"}""", "gpu.migProfile" },
        { "MIG profile with 8 slices", """{"count":1,"migProfile":"8g.80gb"}""", "gpu.migProfile" },
        { "MIG profile upper case", """{"count":1,"migProfile":"1G.10GB"}""", "gpu.migProfile" },
        { "MIG profile with a shell", """{"count":1,"migProfile":"1g.10gb;id"}""", "gpu.migProfile" },
        { "MIG profile with a line feed", """{"count":1,"migProfile":"1g.10gb\n"}""", "gpu.migProfile" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Breaking_a_share_rule_is_422_naming_the_field_and_stores_nothing(string _, string gpu, string field)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var name = $"refused-{Guid.NewGuid():N}";
        var body = Body(JsonNode.Parse(gpu)!.AsObject());
        body["name"] = name;

        using var response = await JobApi.PostAsync(client, body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        Assert.Equal([field], problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        await using var db = app.NewDbContext();
        Assert.DoesNotContain(db.Jobs, j => j.Name == name);
    }

    [Theory]
    [InlineData("""{"count":1,"share":"0.5"}""")]
    [InlineData("""{"count":1,"fraction":0.5}""")]
    [InlineData("""{"count":1,"migProfile":7}""")]
    public async Task Wrong_types_and_unknown_gpu_fields_stay_400(string gpu)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));

        using var response = await JobApi.PostAsync(client, Body(JsonNode.Parse(gpu)!.AsObject()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_share_and_mig_profile()
    {
        using var client = app.CreateClient();
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var properties = doc.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("GpuRequestDto").GetProperty("properties");

        Assert.True(properties.TryGetProperty("share", out _));
        Assert.True(properties.TryGetProperty("migProfile", out _));
    }
}
