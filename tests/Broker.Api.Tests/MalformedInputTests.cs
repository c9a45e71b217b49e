using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests;

/// <summary>Every bad submission gets a 4xx problem document and leaves the database as it was.</summary>
public sealed class MalformedInputTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    public static TheoryData<string, string, int> Cases()
    {
        string With(Action<JsonObject> change)
        {
            var body = JobApi.ValidBody();
            change(body);
            return body.ToJsonString();
        }
        return new TheoryData<string, string, int>
        {
            { "malformed json", """{"name": "x", """, 400 },
            { "not an object", "[1,2,3]", 400 },
            { "empty body", "", 400 },
            { "wrong type", With(b => b["gpu"]!["count"] = "two"), 400 },
            { "huge number", With(b => b["gpu"]!["count"] = JsonValue.Create(1e300)), 400 },
            { "overflowing integer", JobApi.ValidBody().ToJsonString().Replace("\"cpuCores\":16", "\"cpuCores\":99999999999999999999", StringComparison.Ordinal), 400 },
            { "too many gpus", With(b => b["gpu"]!["count"] = 65), 400 },
            { "zero gpus", With(b => b["gpu"]!["count"] = 0), 400 },
            { "unknown gpu model", With(b => b["gpu"]!["models"] = new JsonArray("H9000")), 400 },
            { "team in body", With(b => b["team"] = "someone-else"), 400 },
            { "state in body", With(b => b["state"] = "running"), 400 },
            { "id in body", With(b => b["id"] = Guid.NewGuid().ToString()), 400 },
            { "cost in body", With(b => b["cost"] = 0), 400 },
            { "missing image", With(b => b.Remove("image")), 400 },
            { "missing gpu", With(b => b.Remove("gpu")), 400 },
            { "empty command", With(b => b["command"] = new JsonArray()), 400 },
            { "bad label key", With(b => b["labels"] = new JsonObject { ["Bad Key!"] = "v" }), 400 },
            { "bad name", With(b => b["name"] = "../../etc"), 400 },
            { "deadline in the past", With(b => b["deadline"] = "2020-01-01T00:00:00Z"), 400 },
            { "deadline not a date", With(b => b["deadline"] = "tomorrow"), 400 },
            { "negative price", With(b => b["maxPricePerGpuHour"] = -1), 400 },
            { "spot as a string", With(b => b["spot"] = "yes"), 400 },
            { "oversized body", With(b => b["image"] = new string('x', 70_000)), 413 },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_submissions_get_a_problem_document_and_change_nothing(string name, string body, int expected)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "malformed"));
        var before = await CountRowsAsync();

        using var response = await client.PostAsync("/v1/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True(expected == (int)response.StatusCode, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var problem = await JobApi.ProblemAsync(response);
        Assert.Equal(expected, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(before, await CountRowsAsync());
    }

    [Fact]
    public async Task Field_errors_name_the_json_field()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "malformed"));
        var body = JobApi.ValidBody();
        body["gpu"]!["count"] = 100;

        using var response = await JobApi.PostAsync(client, body);

        using var problem = await JobApi.ProblemAsync(response);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("gpu.count", out _), problem.RootElement.ToString());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "malformed"));

        using var response = await client.PostAsync("/v1/jobs", new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        (await JobApi.ProblemAsync(response)).Dispose();
    }

    private async Task<(int Jobs, int Events, int Labels)> CountRowsAsync()
    {
        await using var db = app.NewDbContext();
        return (await db.Jobs.CountAsync(), await db.JobEvents.CountAsync(), await db.Set<Broker.Core.Jobs.JobLabel>().CountAsync());
    }
}
