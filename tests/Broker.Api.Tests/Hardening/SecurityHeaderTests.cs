using System.Net;
using System.Net.Http.Json;
using System.Text;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Replicas;
using Broker.Testing;

namespace Broker.Api.Tests.Hardening;

/// <summary>Every response carries the browser-hardening headers; the key secret is never cached; the dashboard is ops-only.</summary>
public static class HardenedHeaders
{
    public static void AssertHardened(HttpResponseMessage response)
    {
        var what = $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}";
        Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var sniff) && sniff.Single() == "nosniff", what);
        Assert.True(response.Headers.TryGetValues("X-Frame-Options", out var frame) && frame.Single() == "DENY", what);
        Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp) && csp.Single() == "frame-ancestors 'none'", what);
        Assert.True(response.Headers.TryGetValues("Referrer-Policy", out var referrer) && referrer.Single() == "no-referrer", what);
        Assert.False(response.Headers.Contains("Server"), what);
    }
}

public sealed class SecurityHeaderTests(BrokerApp app) : IClassFixture<BrokerApp>
{

    [Theory]
    [InlineData("submitter", "GET", "/v1/jobs", null, 200)]
    [InlineData("submitter", "GET", "/v1/jobs?limit=-1", null, 400)]
    [InlineData("submitter", "GET", "/v1/jobs/not-a-job", null, 404)]
    [InlineData("submitter", "GET", "/v1/jobs?label=%00", null, 400)]
    [InlineData("submitter", "POST", "/v1/jobs", "{\"name\":", 400)]
    [InlineData("submitter", "POST", "/v1/jobs", "name=x", 415)]
    [InlineData("submitter", "GET", "/v1/api-keys", null, 403)]
    [InlineData(null, "GET", "/v1/jobs", null, 401)]
    [InlineData(null, "GET", "/v1/no-such-route", null, 404)]
    [InlineData(null, "GET", "/health/live", null, 200)]
    [InlineData(null, "GET", "/openapi/v1.json", null, 200)]
    [InlineData(null, "GET", "/hangfire", null, 401)]
    [InlineData("ops", "GET", "/hangfire", null, 200)]
    public async Task Every_kind_of_response_carries_the_security_headers(string? role, string method, string path, string? body, int status)
    {
        using var client = app.ClientWithKey(role is null ? null : await app.CreateKeyAsync(role, role == "submitter" ? "headers" : null));
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, body.StartsWith('{') ? "application/json" : "application/x-www-form-urlencoded");
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        HardenedHeaders.AssertHardened(response);
    }

    [Fact]
    public async Task The_response_carrying_a_new_key_secret_is_no_store()
    {
        using var admin = app.ClientWithKey(BrokerApp.AdminKey);

        using var created = await admin.PostAsJsonAsync("/v1/api-keys", new { name = "cache test", role = "ops" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(created.Headers.CacheControl?.NoStore, created.Headers.CacheControl?.ToString());
        HardenedHeaders.AssertHardened(created);
    }

    [Theory]
    [InlineData("ops", HttpStatusCode.OK)]
    [InlineData("admin", HttpStatusCode.Forbidden)]
    [InlineData("finance", HttpStatusCode.Forbidden)]
    [InlineData("submitter", HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task The_hangfire_dashboard_is_for_ops_only(string? role, HttpStatusCode expected)
    {
        var key = role switch
        {
            null => null,
            "admin" => BrokerApp.AdminKey,
            _ => await app.CreateKeyAsync(role, role == "submitter" ? "dashboard" : null),
        };
        using var client = app.ClientWithKey(key);

        using var page = await client.GetAsync("/hangfire");
        using var jobs = await client.GetAsync("/hangfire/jobs/failed");

        Assert.Equal(expected, page.StatusCode);
        Assert.Equal(expected, jobs.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Contains("Broker background jobs", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}

/// <summary>On the real server (Kestrel in its own process): no Server header, and the hardening headers, on answers and refusals.</summary>
public sealed class KestrelHeaderTests : IAsyncLifetime
{
    private ReplicaProcess? broker;

    public async Task InitializeAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync("headers");
        broker = ReplicaProcess.Start("headers", new Dictionary<string, string>
        {
            ["ConnectionStrings:Broker"] = database,
            ["Hangfire:ServerEnabled"] = "false",
            ["Bootstrap:AdminKey"] = BrokerApp.AdminKey,
            ["Callbacks:Secret"] = "headers-callback-secret-0123456789abcdefghij",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await broker.WaitReadyAsync(TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync()
    {
        if (broker is not null)
        {
            await broker.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("/health/live", null, 200)]
    [InlineData("/v1/jobs", null, 401)]
    [InlineData("/v1/api-keys", BrokerApp.AdminKey, 200)]
    [InlineData("/v1/jobs/x", BrokerApp.AdminKey, 404)]
    public async Task Kestrel_sends_no_server_header(string path, string? key, int status)
    {
        using var http = new HttpClient { BaseAddress = broker!.BaseAddress };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await http.GetAsync(new Uri(path.TrimStart('/'), UriKind.Relative));

        Assert.Equal(status, (int)response.StatusCode);
        HardenedHeaders.AssertHardened(response);
    }
}
