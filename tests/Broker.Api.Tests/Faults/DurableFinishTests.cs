using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Faults;

/// <summary>A private database and a lease of 1 minute x 0.05 = 3 s, shorter than the database outage of the test.</summary>
public sealed class ShortLeasePrivatePostgresApp : PrivatePostgresApp
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Lifecycle:LeaseFactor"] = "0.05",
        ["Lifecycle:LeaseGrace"] = "00:00:00",
    };
}

/// <summary>
/// A job finishes while PostgreSQL is down, so nothing records it. When the database is back its lease has long run out;
/// the reconciler asks Slurm first, so the job ends succeeded with Slurm's end time instead of failing on its lease.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class DurableFinishTests(ShortLeasePrivatePostgresApp app) : IClassFixture<ShortLeasePrivatePostgresApp>
{
    [Fact]
    public async Task A_job_that_finished_while_the_database_was_down_ends_succeeded_with_slurms_end_time()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "pg-restart"));
        var job = await JobApi.SubmitAsync(client, FaultJobs.Body("finishes-in-the-dark", ["L4"], ["sleep", "2"]));
        await app.StepUntilAsync(async () => await FaultJobs.StateAsync(client, job.Id()) is "running" or "succeeded", "the job to run");
        Guid allocationId;
        await using (var db = app.NewDbContext())
        {
            allocationId = (await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(job.Id()))).Id;
        }
        await using var scope = app.Services.CreateAsyncScope();
        var cluster = scope.ServiceProvider.GetRequiredService<IOnPremCluster>();

        await app.StopDatabaseAsync();
        OnPremJobStatus? ended = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ended is not { State: OnPremJobState.Completed })
        {
            Assert.True(DateTime.UtcNow < deadline, "Slurm never recorded the job's end");
            await Task.Delay(500);
            ended = await cluster.GetJobAsync(allocationId, default);
        }
        // Well past the 3 s lease before anything can look at the job again.
        await Task.Delay(TimeSpan.FromSeconds(4));
        await app.StartDatabaseAsync();

        deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                await app.StepAsync();
                if (await FaultJobs.StateAsync(client, job.Id()) is "succeeded" or "failed")
                {
                    break;
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or DbUpdateException or HttpRequestException)
            {
                // A pooled connection from before the restart fails once; the next step gets a fresh one.
            }
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the job to end after the restart");
            await Task.Delay(250);
        }

        Assert.Equal("succeeded", await FaultJobs.StateAsync(client, job.Id()));
        await using var check = app.NewDbContext();
        var segment = await check.Allocations.AsNoTracking().SingleAsync(a => a.Id == allocationId);
        Assert.Equal(AllocationEnd.Completed, segment.End);
        Assert.Equal(ended.EndedAt!.Value.ToUnixTimeSeconds(), segment.EndedAt!.Value.ToUnixTimeSeconds());
        Assert.Equal(ended.StartedAt!.Value.ToUnixTimeSeconds(), segment.StartedAt!.Value.ToUnixTimeSeconds());
    }
}
