using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests;

public sealed class JobListTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Fact]
    public async Task Keyset_paging_walks_every_job_once_newest_first()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "paging"));
        var submitted = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            submitted.Add((await JobApi.SubmitAsync(client, JobApi.ValidBody($"job-{i}"))).Id());
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await client.GetFromJsonAsync<JsonObject>("/v1/jobs?limit=3" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page!["items"]!.AsArray().Select(j => j!.Str("id")));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(submitted), seen);
    }

    [Fact]
    public async Task Filters_by_state_label_and_submission_time()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "filters"));
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var tagged = JobApi.ValidBody("tagged");
        tagged["labels"] = new JsonObject { ["sweep"] = "lr-3" };
        var taggedJob = await JobApi.SubmitAsync(client, tagged);
        var cancelled = await JobApi.SubmitAsync(client, JobApi.ValidBody("to-cancel"));
        (await client.PostAsync($"/v1/jobs/{cancelled.Id()}/cancel", null)).Dispose();

        var byLabel = await client.GetFromJsonAsync<JsonObject>("/v1/jobs?label=sweep=lr-3");
        var byState = await client.GetFromJsonAsync<JsonObject>("/v1/jobs?state=cancelled");
        var pendingOrRunning = await client.GetFromJsonAsync<JsonObject>("/v1/jobs?state=pending,running");
        var future = await client.GetFromJsonAsync<JsonObject>($"/v1/jobs?submittedFrom={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}");
        var window = await client.GetFromJsonAsync<JsonObject>($"/v1/jobs?submittedFrom={Uri.EscapeDataString(before.ToString("O"))}");

        Assert.Equal([taggedJob.Id()], byLabel!["items"]!.AsArray().Select(j => j!.Str("id")));
        Assert.Equal([cancelled.Id()], byState!["items"]!.AsArray().Select(j => j!.Str("id")));
        Assert.Equal([taggedJob.Id()], pendingOrRunning!["items"]!.AsArray().Select(j => j!.Str("id")));
        Assert.Empty(future!["items"]!.AsArray());
        Assert.Equal(2, window!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Limit_is_capped_at_500()
    {
        var team = "bulk";
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", team));
        await using (var db = app.NewDbContext())
        {
            var jobs = new Broker.Core.Jobs.JobService(db, new Broker.Core.Audit.AuditTrail(db, TimeProvider.System), TimeProvider.System);
            for (var i = 0; i < 505; i++)
            {
                await jobs.SubmitAsync(team, Sample(i), null, default);
            }
        }

        var page = await client.GetFromJsonAsync<JsonObject>("/v1/jobs?limit=100000");

        Assert.Equal(500, page!["items"]!.AsArray().Count);
        Assert.NotNull(page["nextCursor"]);
    }

    [Theory]
    [InlineData("/v1/jobs?cursor=not-a-cursor", "cursor")]
    [InlineData("/v1/jobs?cursor=ajE6LTU", "cursor")]
    [InlineData("/v1/jobs?state=exploded", "state")]
    [InlineData("/v1/jobs?limit=0", "limit")]
    [InlineData("/v1/jobs?label=novalue", "label")]
    [InlineData("/v1/jobs?team=someone-else", "team")]
    public async Task Bad_queries_are_400_with_the_field_named(string url, string field)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "queries"));

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), problem.RootElement.ToString());
    }

    [Theory]
    [InlineData("/v1/jobs?limit=abc")]
    [InlineData("/v1/jobs?limit=99999999999999")]
    [InlineData("/v1/jobs?submittedFrom=yesterday")]
    public async Task Unparseable_query_values_are_400_problems(string url)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "queries"));

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        (await JobApi.ProblemAsync(response)).Dispose();
    }

    private static Broker.Core.Jobs.JobSubmission Sample(int i) => new(
        $"bulk-{i}", 1, [], null, 1, 1, "img", ["true"], TimeSpan.FromMinutes(5), null, 0, false, null, null,
        new Dictionary<string, string>());
}
