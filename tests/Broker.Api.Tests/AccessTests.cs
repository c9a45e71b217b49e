using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests;

public sealed class AccessTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Fact]
    public async Task A_submitter_never_sees_or_touches_another_teams_job()
    {
        using var owner = app.ClientWithKey(await app.CreateKeyAsync("submitter", "owner"));
        using var other = app.ClientWithKey(await app.CreateKeyAsync("submitter", "other"));
        var job = await JobApi.SubmitAsync(owner);

        using var get = await other.GetAsync($"/v1/jobs/{job.Id()}");
        using var cancel = await other.PostAsync($"/v1/jobs/{job.Id()}/cancel", null);
        var list = await other.GetFromJsonAsync<JsonObject>("/v1/jobs");

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        Assert.DoesNotContain(list!["items"]!.AsArray(), j => j!["id"]!.GetValue<string>() == job.Id());
        var still = await owner.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}");
        Assert.Equal("pending", still!.Str("state"));
    }

    [Fact]
    public async Task Ops_sees_all_teams_and_can_filter_by_team()
    {
        using var a = app.ClientWithKey(await app.CreateKeyAsync("submitter", "ops-a"));
        using var b = app.ClientWithKey(await app.CreateKeyAsync("submitter", "ops-b"));
        var jobA = await JobApi.SubmitAsync(a);
        await JobApi.SubmitAsync(b);
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        var onlyA = await ops.GetFromJsonAsync<JsonObject>("/v1/jobs?team=ops-a");
        using var get = await ops.GetAsync($"/v1/jobs/{jobA.Id()}");

        Assert.Equal([jobA.Id()], onlyA!["items"]!.AsArray().Select(j => j!.Str("id")));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Theory]
    [InlineData(null, "POST", "/v1/jobs", HttpStatusCode.Unauthorized)]
    [InlineData(null, "GET", "/v1/jobs", HttpStatusCode.Unauthorized)]
    [InlineData("finance", "POST", "/v1/jobs", HttpStatusCode.Forbidden)]
    [InlineData("ops", "POST", "/v1/jobs", HttpStatusCode.Forbidden)]
    [InlineData("submitter", "GET", "/v1/api-keys", HttpStatusCode.Forbidden)]
    [InlineData("ops", "GET", "/v1/api-keys", HttpStatusCode.Forbidden)]
    [InlineData("finance", "GET", "/v1/jobs", HttpStatusCode.OK)]
    [InlineData("admin", "GET", "/v1/api-keys", HttpStatusCode.OK)]
    [InlineData("submitter", "GET", "/hangfire", HttpStatusCode.Forbidden)]
    [InlineData(null, "GET", "/hangfire", HttpStatusCode.Unauthorized)]
    [InlineData("ops", "GET", "/hangfire", HttpStatusCode.OK)]
    public async Task Roles_decide_what_a_key_may_do(string? role, string method, string path, HttpStatusCode expected)
    {
        var key = role is null ? null : await app.CreateKeyAsync(role, role == "submitter" ? "roles" : null);
        using var client = app.ClientWithKey(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(JobApi.ValidBody());
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden && !path.StartsWith("/hangfire", StringComparison.Ordinal))
        {
            (await JobApi.ProblemAsync(response)).Dispose();
        }
    }

    [Fact]
    public async Task A_revoked_or_unknown_key_is_401()
    {
        using var admin = app.ClientWithKey(BrokerApp.AdminKey);
        using var create = await admin.PostAsJsonAsync("/v1/api-keys", new { name = "short-lived", role = "submitter", team = "t" });
        var created = await JobApi.ReadAsync(create);
        using var revoke = await admin.DeleteAsync($"/v1/api-keys/{created.Str("id")}");
        using var again = await admin.DeleteAsync($"/v1/api-keys/{created.Str("id")}");

        using var revoked = await app.ClientWithKey(created.Str("key")).GetAsync("/v1/jobs");
        using var unknown = await app.ClientWithKey("brk_not-a-real-key").GetAsync("/v1/jobs");

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task Key_listing_never_contains_secrets_or_hashes()
    {
        var secret = await app.CreateKeyAsync("finance");
        using var admin = app.ClientWithKey(BrokerApp.AdminKey);

        var listing = await admin.GetStringAsync("/v1/api-keys");

        Assert.DoesNotContain(secret, listing, StringComparison.Ordinal);
        Assert.DoesNotContain(Broker.Core.Auth.ApiKeySecret.Hash(secret), listing, StringComparison.Ordinal);
        Assert.Contains(secret[..12], listing, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"x","role":"submitter"}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"name":"x","role":"ops","team":"vision"}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"name":"x","role":"overlord"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"name":"x","role":3}""", HttpStatusCode.BadRequest)]
    public async Task Invalid_key_requests_are_refused(string body, HttpStatusCode expected)
    {
        using var admin = app.ClientWithKey(BrokerApp.AdminKey);

        using var response = await admin.PostAsync("/v1/api-keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(expected, response.StatusCode);
        (await JobApi.ProblemAsync(response)).Dispose();
    }
}
