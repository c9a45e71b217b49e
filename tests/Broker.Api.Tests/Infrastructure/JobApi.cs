using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Broker.Api.Tests.Infrastructure;

/// <summary>Request bodies and response reading shared by the API tests.</summary>
public static class JobApi
{
    public static JsonObject ValidBody(string name = "train-resnet") => new()
    {
        ["name"] = name,
        ["gpu"] = new JsonObject { ["count"] = 2, ["models"] = new JsonArray("h100", "A100-80GB"), ["minMemoryGb"] = 40 },
        ["cpuCores"] = 16,
        ["memoryGb"] = 128,
        ["image"] = "ghcr.io/acme/train:1.4",
        ["command"] = new JsonArray("python", "train.py", "--epochs", "3"),
        ["estimatedDurationMinutes"] = 90,
        ["priority"] = 10,
        ["spot"] = new JsonObject { ["allowed"] = true, ["checkpointIntervalMinutes"] = 15 },
        ["maxPricePerGpuHour"] = 4.5,
        ["labels"] = new JsonObject { ["project"] = "vision", ["stage"] = "exp" },
    };

    public static async Task<JsonObject> SubmitAsync(HttpClient client, JsonObject? body = null, string? idempotencyKey = null)
    {
        using var response = await PostAsync(client, body ?? ValidBody(), idempotencyKey);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"submit failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return await ReadAsync(response);
    }

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, JsonObject body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return client.SendAsync(request);
    }

    /// <summary>The job as <c>GET /v1/jobs/{id}</c> shows it.</summary>
    public static async Task<JsonObject> GetAsync(HttpClient client, string id) => (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{id}"))!;

    public static async Task<JsonObject> ReadAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    public static string Id(this JsonObject job) => job["id"]!.GetValue<string>();

    public static string Str(this JsonNode node, string name) => node[name]!.GetValue<string>();

    public static JsonObject Clone(this JsonObject body) => JsonNode.Parse(body.ToJsonString())!.AsObject();

    public static async Task<JsonDocument> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
