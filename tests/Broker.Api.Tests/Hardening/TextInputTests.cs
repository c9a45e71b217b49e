using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Hardening;

/// <summary>NUL and control characters are refused in every channel (body at any depth, query, route, header), naming the field.</summary>
public sealed class TextInputTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    private static string Body(Action<JsonObject> change)
    {
        var body = JobApi.ValidBody();
        change(body);
        return body.ToJsonString();
    }

    public static TheoryData<string, string> BodyCases() => new()
    {
        { Body(b => b["name"] = "train\0"), "name" },
        { Body(b => b["image"] = "ghcr.io/acme/train:1.4\0"), "image" },
        { Body(b => b["command"] = new JsonArray("python", "train.py\0")), "command[1]" },
        { Body(b => b["command"] = new JsonArray("python", "-c", "print(1)", "\u001b[31m")), "command[3]" },
        { Body(b => b["command"] = new JsonArray("a\u007f")), "command[0]" },
        { Body(b => b["command"] = new JsonArray("a\u0085")), "command[0]" },
        { Body(b => b["labels"] = new JsonObject { ["project"] = "vision", ["stage"] = "e\0xp" }), "labels.stage" },
        { Body(b => b["labels"] = new JsonObject { ["pro\0ject"] = "vision" }), "labels" },
        { Body(b => b["gpu"]!["models"] = new JsonArray("H100-80GB", "A100\0")), "gpu.models[1]" },
        { Body(b => b["deadline"] = "2030-01-01T00:00:00Z\0"), "deadline" },
        { Body(b => b["labels"] = new JsonObject { ["stage"] = "two\nlines" }), "labels.stage" },
        { Body(b => b["labels"] = new JsonObject { ["stage"] = "tab\there" }), "labels.stage" },
        { Body(b => b["labels"] = new JsonObject { ["stage"] = "evil\u202etxt.exe" }), "labels.stage" },
        { Body(b => b["labels"] = new JsonObject { ["stage\n"] = "x" }), "labels.stage\n" },
    };

    [Theory]
    [MemberData(nameof(BodyCases))]
    public async Task Control_characters_in_a_job_body_are_400_naming_the_json_path(string body, string field)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "text"));
        var before = await Refusals.CountAsync(app);

        using var response = await client.PostAsync("/v1/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        await Refusals.AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Equal(before, await Refusals.CountAsync(app));
    }

    [Fact]
    public async Task Command_arguments_keep_tabs_and_line_breaks()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "text"));
        var body = JobApi.ValidBody("multi-line");
        body["command"] = new JsonArray("bash", "-c", "for i in 1 2; do\n\techo $i\r\ndone");

        var job = await JobApi.SubmitAsync(client, body);

        Assert.Equal("for i in 1 2; do\n\techo $i\r\ndone", job["command"]![2]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"name\":\"ci\\u0000\",\"role\":\"ops\"}", "name")]
    [InlineData("{\"name\":\"ci\\nadmin\",\"role\":\"ops\"}", "name")]
    [InlineData("{\"name\":\"ci\\u202e\",\"role\":\"ops\"}", "name")]
    [InlineData("{\"name\":\"ci\",\"role\":\"submitter\",\"team\":\"t\\u0000\"}", "team")]
    public async Task Control_characters_in_a_key_request_are_400_naming_the_field(string body, string field)
    {
        using var admin = app.ClientWithKey(BrokerApp.AdminKey);
        var before = await Refusals.CountAsync(app);

        using var response = await admin.PostAsync("/v1/api-keys", new StringContent(body, Encoding.UTF8, "application/json"));

        await Refusals.AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Equal(before, await Refusals.CountAsync(app));
    }

    public static TheoryData<string, string, string> QueryCases()
    {
        var cases = new TheoryData<string, string, string>();
        foreach (var name in new[] { "state", "team", "label", "submittedFrom", "submittedTo", "cursor", "limit" })
        {
            cases.Add("submitter", "/v1/jobs", name);
        }
        foreach (var name in new[] { "gpuModel", "minGpus", "market", "provider", "region", "limit" })
        {
            cases.Add("submitter", "/v1/offers", name);
        }
        foreach (var name in new[] { "from", "to", "step" })
        {
            cases.Add("finance", "/v1/onprem/utilization", name);
        }
        cases.Add("ops", "/v1/onprem/nodes", "anything");
        cases.Add("ops", "/v1/providers", "anything");
        return cases;
    }

    [Theory]
    [MemberData(nameof(QueryCases))]
    public async Task Nul_in_any_query_parameter_is_400_naming_it(string role, string path, string parameter)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(role, role == "submitter" ? "text" : null));

        using var nul = await client.GetAsync($"{path}?{parameter}=a%00b");
        using var tab = await client.GetAsync($"{path}?{parameter}=a%09b");

        await Refusals.AssertProblemAsync(nul, HttpStatusCode.BadRequest, parameter);
        await Refusals.AssertProblemAsync(tab, HttpStatusCode.BadRequest, parameter);
    }

    // A NUL in the path never reaches Broker: Kestrel (and the test server) refuse to decode it.
    [Theory]
    [InlineData("GET", "/v1/jobs/abc%01")]
    [InlineData("GET", "/v1/jobs/abc%0A")]
    [InlineData("POST", "/v1/jobs/%1B%5B2J/cancel")]
    [InlineData("POST", "/v1/jobs/%E2%80%AE/cancel")]
    public async Task Control_characters_in_a_route_value_are_400_naming_it(string method, string path)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "text"));

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await Refusals.AssertProblemAsync(response, HttpStatusCode.BadRequest, "id");
    }

    [Theory]
    [InlineData("key\0one")]
    [InlineData("key\u0001one")]
    [InlineData("key\u007f")]
    public async Task Control_characters_in_the_idempotency_key_are_400_naming_the_header(string key)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "text"));
        var before = await Refusals.CountAsync(app);
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs") { Content = JsonContent.Create(JobApi.ValidBody()) };
        Assert.True(request.Headers.TryAddWithoutValidation("Idempotency-Key", key));

        using var response = await client.SendAsync(request);

        await Refusals.AssertProblemAsync(response, HttpStatusCode.BadRequest, "Idempotency-Key");
        Assert.Equal(before, await Refusals.CountAsync(app));
    }

    [Fact]
    public async Task Anonymous_requests_with_bad_text_still_get_401_first()
    {
        using var anonymous = app.ClientWithKey(null);

        using var response = await anonymous.GetAsync("/v1/jobs?label=a%00");

        await Refusals.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }
}
