using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests;

public sealed class JobIntakeTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Fact]
    public async Task Submit_returns_201_with_location_normalized_request_and_submitted_event()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        using var response = await JobApi.PostAsync(client, JobApi.ValidBody());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var job = await JobApi.ReadAsync(response);
        Assert.Equal($"/v1/jobs/{job.Id()}", response.Headers.Location?.ToString());
        Assert.Equal("vision", job.Str("team"));
        Assert.Equal("pending", job.Str("state"));
        Assert.Equal(["A100-80GB", "H100-80GB"], job["gpu"]!["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("submitted", job["timeline"]![0]!.Str("kind"));
    }

    [Fact]
    public async Task Get_returns_the_stored_job_with_its_timeline()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var submitted = await JobApi.SubmitAsync(client);

        var job = await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{submitted.Id()}");

        Assert.Equal(submitted.ToJsonString(), job!.ToJsonString());
        Assert.Single(job["timeline"]!.AsArray());
    }

    [Fact]
    public async Task Cancel_is_idempotent_and_records_one_cancelled_event()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var job = await JobApi.SubmitAsync(client);

        using var first = await client.PostAsync($"/v1/jobs/{job.Id()}/cancel", null);
        using var second = await client.PostAsync($"/v1/jobs/{job.Id()}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var after = await JobApi.ReadAsync(second);
        Assert.Equal("cancelled", after.Str("state"));
        Assert.Equal(["submitted", "cancelled"], after["timeline"]!.AsArray().Select(e => e!.Str("kind")));
    }

    [Fact]
    public async Task Cancelling_a_finished_job_is_409_with_a_clear_message()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var job = await JobApi.SubmitAsync(client);
        await using (var db = app.NewDbContext())
        {
            var row = await db.Jobs.Include(j => j.Events).SingleAsync(j => j.Id == Guid.Parse(job.Id()));
            var now = DateTimeOffset.UtcNow;
            row.MoveTo(JobState.Placed, JobEventKind.Placed, "placed", now);
            row.MoveTo(JobState.Running, JobEventKind.Started, "started", now);
            row.MoveTo(JobState.Succeeded, JobEventKind.Finished, "finished", now);
            await db.SaveChangesAsync();
        }

        using var response = await client.PostAsync($"/v1/jobs/{job.Id()}/cancel", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        Assert.Contains("already succeeded", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_or_malformed_job_ids_are_404_problems()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));

        using var unknown = await client.GetAsync($"/v1/jobs/{Guid.NewGuid()}");
        using var malformed = await client.GetAsync("/v1/jobs/not-a-guid");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        (await JobApi.ProblemAsync(unknown)).Dispose();
    }
}
