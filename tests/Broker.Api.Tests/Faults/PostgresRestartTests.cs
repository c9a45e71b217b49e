using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Faults;

/// <summary>
/// The database restarts while on-prem jobs run. Steps fail while it is down (as Hangfire jobs would, to be run again);
/// afterwards everything converges. On-prem only on purpose: Slurm is polled, so a finish during the outage is seen later,
/// whereas a simulated cloud's finished event that arrives while the database is down is not replayed.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class PostgresRestartTests(PrivatePostgresApp app) : IClassFixture<PrivatePostgresApp>
{
    [Fact]
    public async Task Jobs_running_across_a_database_restart_all_succeed_and_nothing_is_left()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "pg-restart"));
        var jobs = new List<string>();
        foreach (var (model, i) in new[] { "H100-80GB", "H100-80GB", "A100-80GB", "L4" }.Select((m, i) => (m, i)))
        {
            jobs.Add((await JobApi.SubmitAsync(client, FaultJobs.Body($"pg-{i}", [model], ["sleep", "5"]))).Id());
        }
        await app.StepUntilAsync(async () => (await Task.WhenAll(jobs.Select(j => FaultJobs.StateAsync(client, j)))).Any(s => s == "running"),
            "a job to run");

        await app.StopDatabaseAsync();
        var failedSteps = 0;
        for (var i = 0; i < 6; i++)
        {
            try
            {
                await app.StepAsync();
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or DbUpdateException)
            {
                failedSteps++;
            }
            await Task.Delay(500);
        }
        await app.StartDatabaseAsync();

        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await AllSucceededAsync(client, jobs))
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the jobs to succeed after the restart");
            try
            {
                await app.StepAsync();
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or DbUpdateException)
            {
                // A pooled connection from before the restart fails once; the next step gets a fresh one.
            }
            await Task.Delay(250);
        }

        Assert.True(failedSteps > 0, "no step noticed the database was down");
        await using var db = app.NewDbContext();
        var ids = jobs.Select(Guid.Parse).ToList();
        Assert.Equal(jobs.Count, await db.Allocations.CountAsync(a => ids.Contains(a.JobId) && a.End == AllocationEnd.Completed));
        await Invariants.AssertNothingLeftAsync(app);
    }

    private static async Task<bool> AllSucceededAsync(HttpClient client, List<string> jobs)
    {
        try
        {
            return (await Task.WhenAll(jobs.Select(j => FaultJobs.StateAsync(client, j)))).All(s => s == "succeeded");
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
