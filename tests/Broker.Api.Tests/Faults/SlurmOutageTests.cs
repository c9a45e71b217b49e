using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Faults;

/// <summary>slurmrestd goes away while on-prem jobs run: nothing is failed or requeued meanwhile, and all completes after.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class SlurmOutageTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private static readonly Dictionary<string, string> SlurmDir = new()
    {
        ["BROKER_SLURM_DIR"] = Environment.GetEnvironmentVariable("BROKER_SLURM_DIR") is { Length: > 0 } dir ? dir
            : Environment.GetEnvironmentVariable("SLURM_CONF") is { Length: > 0 } conf ? Path.GetDirectoryName(conf)! : "/tmp/broker-slurm",
    };

    [Fact]
    public async Task Onprem_jobs_keep_their_allocations_while_slurmrestd_is_down_and_complete_after_it_returns()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "outage"));
        var jobs = new List<string>();
        foreach (var model in new[] { "H100-80GB", "L4" })
        {
            jobs.Add((await JobApi.SubmitAsync(client, FaultJobs.Body($"outage-{model}", [model], ["sleep", "6"]))).Id());
        }
        await app.StepUntilAsync(async () => (await Task.WhenAll(jobs.Select(j => FaultJobs.StateAsync(client, j)))).All(s => s == "running"),
            "both jobs to run");
        var ids = jobs.Select(Guid.Parse).ToList();

        await FaultJobs.RunScriptAsync("slurm.sh", SlurmDir, "stop-rest");
        try
        {
            // Long enough for the sleeps to end inside Slurm while Broker cannot see it.
            var until = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < until)
            {
                await app.StepAsync();
                await Task.Delay(500);
            }
            Assert.All(await Task.WhenAll(jobs.Select(j => FaultJobs.StateAsync(client, j))), s => Assert.Equal("running", s));
            await using var db = app.NewDbContext();
            var segments = await db.Allocations.AsNoTracking().Where(a => ids.Contains(a.JobId)).ToListAsync();
            Assert.Equal(2, segments.Count);
            Assert.All(segments, a => Assert.Equal(AllocationState.Running, a.State));
        }
        finally
        {
            await FaultJobs.RunScriptAsync("slurm.sh", SlurmDir, "start-rest");
        }

        await app.StepUntilAsync(async () => (await Task.WhenAll(jobs.Select(j => FaultJobs.StateAsync(client, j)))).All(s => s == "succeeded"),
            "both jobs to succeed after slurmrestd returns");
        await using (var db = app.NewDbContext())
        {
            Assert.Equal(2, await db.Allocations.CountAsync(a => ids.Contains(a.JobId) && a.End == AllocationEnd.Completed));
        }
        await Invariants.AssertNothingLeftAsync(app);
    }
}
