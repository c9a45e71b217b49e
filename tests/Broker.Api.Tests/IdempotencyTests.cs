using System.Net;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Secrets;
using Broker.Core.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Broker.Api.Tests;

/// <summary>The API with every log line at Warning or above captured (errors from EF and Npgsql included).</summary>
public sealed class LoggedBrokerApp : BrokerApp
{
    public CapturedLogs Logs { get; } = new();

    protected override void OverrideServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Logs);
}

public sealed class IdempotencyTests(LoggedBrokerApp app) : IClassFixture<LoggedBrokerApp>
{
    [Fact]
    public async Task Same_key_and_body_returns_the_first_job_with_200()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "idem"));

        using var first = await JobApi.PostAsync(client, JobApi.ValidBody(), "key-1");
        using var second = await JobApi.PostAsync(client, JobApi.ValidBody(), "key-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal((await JobApi.ReadAsync(first)).ToJsonString(), (await JobApi.ReadAsync(second)).ToJsonString());
    }

    [Fact]
    public async Task Same_key_with_a_different_body_is_409()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "idem"));
        (await JobApi.PostAsync(client, JobApi.ValidBody("a"), "key-2")).Dispose();

        using var response = await JobApi.PostAsync(client, JobApi.ValidBody("b"), "key-2");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        (await JobApi.ProblemAsync(response)).Dispose();
    }

    [Fact]
    public async Task A_job_with_every_field_set_reads_back_as_its_submit_answered()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "idem-fields"));
        var body = JobApi.ValidBody("fields");
        body["deadline"] = DateTimeOffset.UtcNow.AddDays(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        body["env"] = new JsonObject { ["MODE"] = "fast lane", ["QUOTE"] = "a \"quoted\" value" };

        using var created = await JobApi.PostAsync(client, body, "fields-key");
        using var repeat = await JobApi.PostAsync(client, body.Clone(), "fields-key");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        var answered = await JobApi.ReadAsync(created);
        Assert.Equal(answered.ToJsonString(), (await JobApi.ReadAsync(repeat)).ToJsonString());
        using var read = await client.GetAsync($"/v1/jobs/{answered.Id()}");
        var stored = await JobApi.ReadAsync(read);
        foreach (var field in new[] { "name", "gpu", "cpuCores", "memoryGb", "image", "command", "estimatedDurationMinutes",
            "deadline", "priority", "spot", "maxPricePerGpuHour", "labels", "env", "submittedAt", "timeline" })
        {
            Assert.Equal(answered[field]!.ToJsonString(), stored[field]!.ToJsonString());
        }
    }

    [Fact]
    public async Task Repeats_write_no_second_label_or_event_log_no_error_and_a_new_key_still_makes_a_new_job()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "idem-rows"));
        var first = await JobApi.SubmitAsync(client, JobApi.ValidBody("rows"), "rows-key");
        var errorsBefore = app.Logs.Errors.Count;

        var repeats = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            repeats.Add(await JobApi.PostAsync(client, JobApi.ValidBody("rows"), "rows-key"));
        }
        using var other = await JobApi.PostAsync(client, JobApi.ValidBody("other"), "rows-key");
        var second = await JobApi.SubmitAsync(client, JobApi.ValidBody("rows"), "rows-key-2");

        Assert.All(repeats, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var r in repeats)
        {
            Assert.Equal(first.Id(), (await JobApi.ReadAsync(r)).Id());
            r.Dispose();
        }
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.NotEqual(first.Id(), second.Id());
        var errors = app.Logs.Errors.Skip(errorsBefore).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        await using var db = app.NewDbContext();
        var firstId = Guid.Parse(first.Id());
        Assert.Equal(2, await db.Jobs.CountAsync(j => j.Team == "idem-rows"));
        Assert.Equal(1, await db.Set<JobEvent>().CountAsync(e => e.JobId == firstId));
        Assert.Equal(2, await db.Set<JobLabel>().CountAsync(l => l.JobId == firstId));
    }

    [Fact]
    public async Task The_same_key_in_two_teams_makes_two_jobs()
    {
        using var a = app.ClientWithKey(await app.CreateKeyAsync("submitter", "idem-a"));
        using var b = app.ClientWithKey(await app.CreateKeyAsync("submitter", "idem-b"));

        var jobA = await JobApi.SubmitAsync(a, idempotencyKey: "shared");
        var jobB = await JobApi.SubmitAsync(b, idempotencyKey: "shared");

        Assert.NotEqual(jobA.Id(), jobB.Id());
    }

    [Fact]
    public async Task Twenty_concurrent_duplicates_create_exactly_one_job_with_one_event_and_its_labels_and_log_no_error()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "race"));
        var errorsBefore = app.Logs.Errors.Count;

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => JobApi.PostAsync(client, JobApi.ValidBody("race"), "race-key")));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var ids = await Task.WhenAll(responses.Select(async r => (await JobApi.ReadAsync(r)).Id()));
        Assert.Single(ids.Distinct());
        var errors = app.Logs.Errors.Skip(errorsBefore).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        await using var db = app.NewDbContext();
        Assert.Equal(1, await db.Jobs.CountAsync(j => j.Team == "race"));
        var jobId = Guid.Parse(ids[0]);
        Assert.Equal(1, await db.Set<JobEvent>().CountAsync(e => e.JobId == jobId));
        Assert.Equal(2, await db.Set<JobLabel>().CountAsync(l => l.JobId == jobId));
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }
}
