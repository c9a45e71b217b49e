using System.Net;
using System.Text.Json;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests;

public sealed class OperabilityTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Fact]
    public async Task OpenApi_document_describes_the_job_endpoints_and_bearer_auth()
    {
        using var client = app.CreateClient();

        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var paths = doc.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/jobs", out _));
        Assert.True(paths.TryGetProperty("/v1/jobs/{id}/cancel", out _));
        Assert.True(doc.RootElement.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("ApiKey", out _));
    }

    [Fact]
    public async Task Reference_page_and_health_endpoints_answer()
    {
        using var client = app.CreateClient();

        using var docs = await client.GetAsync("/docs");
        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal("text/html", docs.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_routes_get_problem_documents()
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/v1/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        (await JobApi.ProblemAsync(response)).Dispose();
    }
}
