using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests;

/// <summary>GET /v1/me: who a key is, for clients (the console) that show only what the role may do.</summary>
public sealed class MeTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Fact]
    public async Task Each_key_learns_its_own_id_name_role_and_team_and_never_its_secret()
    {
        using var admin = app.ClientWithKey(BrokerApp.AdminKey);
        using var created = await admin.PostAsJsonAsync("/v1/api-keys", new { name = "vision CI", role = "submitter", team = "vision" });
        var key = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        using var submitter = app.ClientWithKey(key["key"]!.GetValue<string>());
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));

        using var response = await submitter.GetAsync("/v1/me");
        var text = await response.Content.ReadAsStringAsync();
        var me = JsonNode.Parse(text)!.AsObject();
        var financeMe = (await finance.GetFromJsonAsync<JsonObject>("/v1/me"))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((key["id"]!.GetValue<string>(), "vision CI", "submitter", "vision"),
            (me.Str("keyId"), me.Str("name"), me.Str("role"), me.Str("team")));
        Assert.DoesNotContain(key["key"]!.GetValue<string>(), text, StringComparison.Ordinal);
        Assert.Equal(["keyId", "name", "role"], financeMe.Select(p => p.Key));
        Assert.Equal("finance", financeMe.Str("role"));
    }

    [Fact]
    public async Task Without_a_valid_key_me_is_a_401_problem()
    {
        using var anonymous = app.ClientWithKey(null);
        using var unknown = app.ClientWithKey("brk_unknownunknownunknownunknownunknown0000");

        using var none = await anonymous.GetAsync("/v1/me");
        using var bad = await unknown.GetAsync("/v1/me");

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (none.StatusCode, bad.StatusCode));
        (await JobApi.ProblemAsync(bad)).Dispose();
    }

    [Fact]
    public async Task Me_is_in_the_openapi_document()
    {
        using var client = app.ClientWithKey(null);
        var document = (await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        Assert.NotNull(document["paths"]!["/v1/me"]?["get"]);
    }
}
