using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Hardening;

/// <summary>
/// A launch that can never succeed ends the job with the reason after a bounded number of attempts, and leaves no
/// background job retrying: Hangfire, the reconciler and placement all stop.
/// It runs its real Hangfire server in the non-parallel lifecycle collection: beside the 1,000-odd parallel API cases its
/// one-second schedules did not fire within the test's minute on a loaded 2-core machine.
/// The launch timeout in every other state before running is <see cref="LaunchTimeoutTests"/>' table.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class LaunchFailureTests(LaunchFailureApp app) : IClassFixture<LaunchFailureApp>
{
    private static JsonObject Body(string name, string image)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = 1, ["models"] = new JsonArray("L4") };
        body["spot"] = new JsonObject { ["allowed"] = false };
        body["image"] = image;
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    [Fact]
    public async Task A_launch_refused_for_good_fails_the_job_after_the_configured_number_of_attempts()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "refused"));
        var job = await JobApi.SubmitAsync(client, Body("always-refused", LaunchFailureApp.InvalidRequestImage));

        var failed = await WaitForStateAsync(client, job.Id(), "failed");

        var last = failed["timeline"]!.AsArray().Last()!;
        Assert.Equal("failed", last.Str("kind"));
        Assert.Contains($"Failed to launch {LaunchFailureApp.MaxLaunchFailures} times", last.Str("message"), StringComparison.Ordinal);
        Assert.Contains("InvalidParameterValue", last.Str("message"), StringComparison.Ordinal);
        await AssertSettledAsync(Guid.Parse(job.Id()), LaunchFailureApp.MaxLaunchFailures, AllocationEnd.LaunchFailed);
    }

    [Fact]
    public async Task A_launch_that_keeps_failing_transiently_times_out_while_requested_and_is_bounded_too()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "transient"));
        var job = await JobApi.SubmitAsync(client, Body("always-transient", LaunchFailureApp.TransientImage));

        var failed = await WaitForStateAsync(client, job.Id(), "failed", seconds: 120);

        var message = failed["timeline"]!.AsArray().Last()!.Str("message");
        Assert.Contains($"Failed to launch {LaunchFailureApp.MaxLaunchFailures} times", message, StringComparison.Ordinal);
        Assert.Contains("launch timeout", message, StringComparison.Ordinal);
        var allocations = await AssertSettledAsync(Guid.Parse(job.Id()), LaunchFailureApp.MaxLaunchFailures, AllocationEnd.LaunchTimeout);
        // Each one was retried (by the reconciler) while it was still requested, and none of those runs is left over.
        Assert.All(allocations, a => Assert.True(app.CreateCalls.GetValueOrDefault(a) >= 2, $"allocation {a}: {app.CreateCalls.GetValueOrDefault(a)} creates"));
    }

    [Fact]
    public async Task A_job_that_cannot_be_launched_as_submitted_fails_at_its_first_launch_with_the_reason()
    {
        // A job stored before intake checked images (the API refuses this one now): the boot script cannot be written.
        var submitted = await WithScopeAsync(s => s.GetRequiredService<JobService>().SubmitAsync("legacy",
            new JobSubmission("dash-image", 1, ["L4"], null, 1, 1, "-it", ["true"], TimeSpan.FromMinutes(5), null, 0, false, null, null,
                new Dictionary<string, string>()), null, default));
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "legacy"));

        var failed = await WaitForStateAsync(client, submitted.Job.Id.ToString(), "failed");

        var message = failed["timeline"]!.AsArray().Last()!.Str("message");
        Assert.Contains("The job cannot be launched: ", message, StringComparison.Ordinal);
        Assert.Contains("not an option", message, StringComparison.Ordinal);
        Assert.Contains("not retried", message, StringComparison.Ordinal);
        var allocations = await AssertSettledAsync(submitted.Job.Id, 1, AllocationEnd.LaunchFailed);
        Assert.False(app.CreateCalls.ContainsKey(allocations.Single()), "no cloud was asked to launch it");
    }

    private async Task<JsonObject> WaitForStateAsync(HttpClient client, string id, string state, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var job = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{id}"))!;
            if (job.Str("state") == state)
            {
                return job;
            }
            Assert.True(DateTime.UtcNow < deadline, $"job still {job.Str("state")}: {job["timeline"]}");
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// The job's segments are exactly <paramref name="count"/>, all ended with <paramref name="end"/> and closed, and stay so
    /// over several more placement and reconcile rounds, with no provisioning run of theirs waiting, retrying or failed in Hangfire.
    /// </summary>
    private async Task<IReadOnlyList<Guid>> AssertSettledAsync(Guid jobId, int count, AllocationEnd end)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<Allocation> allocations;
        while (true)
        {
            await using var db = app.NewDbContext();
            allocations = await db.Allocations.AsNoTracking().Where(a => a.JobId == jobId).ToListAsync();
            if (allocations.All(a => a.State == AllocationState.Closed))
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "allocations not closed: " + string.Join(", ", allocations.Select(a => a.State)));
            await Task.Delay(250);
        }
        Assert.Equal(count, allocations.Count);
        Assert.All(allocations, a => Assert.Equal(end, a.End));

        await Task.Delay(TimeSpan.FromSeconds(4));

        await using (var db = app.NewDbContext())
        {
            Assert.Equal(count, await db.Allocations.CountAsync(a => a.JobId == jobId));
            Assert.Equal(JobState.Failed, (await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId)).State);
        }
        var states = await app.ProvisionJobStatesAsync(allocations.Select(a => a.Id));
        foreach (var pending in new[] { "Scheduled", "Enqueued", "Processing", "Awaiting", "Failed" })
        {
            Assert.False(states.ContainsKey(pending), $"provisioning runs left {pending}: {string.Join(", ", states)}");
        }
        return [.. allocations.Select(a => a.Id)];
    }

    private async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }
}
