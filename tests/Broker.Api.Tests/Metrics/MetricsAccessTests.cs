using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Metrics;

/// <summary>The API with a scrape key configured (<c>Metrics:BearerKeyHash</c>) and no metrics port: /metrics on the API port.</summary>
public sealed class ScrapeKeyApp : BrokerApp
{
    public const string ScrapeKey = "scrape-key-for-the-metrics-tests-0123456789";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Metrics:BearerKeyHash"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ScrapeKey))),
        ["Metrics:SnapshotTtl"] = "00:00:00.100",
    };
}

public sealed class MetricsAccessTests(ScrapeKeyApp app) : IClassFixture<ScrapeKeyApp>
{
    [Fact]
    public async Task Metrics_on_the_api_port_refuse_anonymous_callers_and_keys_of_other_roles()
    {
        using var anonymous = app.ClientWithKey(null);
        using var wrong = app.ClientWithKey("not-the-scrape-key");
        using var submitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "metrics-a"));
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await submitter.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await finance.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task The_scrape_key_and_an_ops_key_read_prometheus_text_with_the_state_gauges()
    {
        using var scraper = app.ClientWithKey(ScrapeKeyApp.ScrapeKey);
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        foreach (var client in new[] { scraper, ops })
        {
            using var response = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Contains("# TYPE broker_jobs gauge", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE broker_hangfire_jobs gauge", text, StringComparison.Ordinal);
            Assert.Contains(text.Split('\n'), l => l.StartsWith("broker_jobs{", StringComparison.Ordinal) && l.Contains("state=\"pending\"", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_scrape_key_hash_must_be_a_sha256()
    {
        using var bad = new BadHashApp();
        var error = Assert.ThrowsAny<Exception>(() => bad.CreateClient());
        Assert.Contains("Metrics:BearerKeyHash", error.ToString(), StringComparison.Ordinal);
    }

    private sealed class BadHashApp : BrokerApp
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
        {
            ["Metrics:BearerKeyHash"] = "plain-text-key",
        };
    }
}
