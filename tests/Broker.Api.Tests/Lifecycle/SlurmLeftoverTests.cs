using Broker.Api.Tests.Faults;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>The lifecycle app with a 4-second grace before a leftover Slurm job is cancelled, and a team of its own.</summary>
public sealed class SlurmLeftoverApp : LifecycleApp
{
    public const string Team = "leftover";

    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(4);

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Lifecycle:OrphanGrace"] = Grace.ToString(),
        [$"OnPrem:Teams:{Team}:User"] = SlurmServer.TeamUserA,
    };
}

/// <summary>
/// A <c>broker-*</c> Slurm job whose allocation is closed in the database is cancelled once the grace has passed; one of a
/// live allocation and one named after an allocation this database does not know (another deployment's) are left alone.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class SlurmLeftoverTests(SlurmLeftoverApp app) : IClassFixture<SlurmLeftoverApp>
{
    [Fact]
    public async Task A_slurm_job_of_a_closed_allocation_is_cancelled_after_the_grace_and_nothing_else_is_touched()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", SlurmLeftoverApp.Team));
        var liveJob = await JobApi.SubmitAsync(client, FaultJobs.Body("leftover-live", ["L4"], ["sleep", "600"], minutes: 60));
        await app.StepUntilAsync(async () => await FaultJobs.StateAsync(client, liveJob.Id()) == "running", "the live job to run");
        var live = await SegmentAsync(Guid.Parse(liveJob.Id()));

        // A provisioning step that read its allocation before the job was cancelled submits after the release: the
        // allocation is closed, its Slurm job is not.
        var lateJob = await JobApi.SubmitAsync(client, FaultJobs.Body("leftover-late", ["L4"], ["sleep", "600"], minutes: 60));
        var lateId = (await app.WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default))).Single();
        (await client.PostAsync($"/v1/jobs/{lateJob.Id()}/cancel", null)).EnsureSuccessStatusCode();
        await app.WithScopeAsync(async s => { await s.GetRequiredService<AllocationWorker>().ReleaseAsync(lateId, default); return 0; });
        var late = await SegmentAsync(Guid.Parse(lateJob.Id()));
        Assert.Equal(AllocationState.Closed, late.State);
        var lateSlurm = await SubmitAsync(late.Id, late.Node!);
        var foreignSlurm = await SubmitAsync(Guid.NewGuid(), late.Node!);

        var early = await ReconcileAsync();
        Assert.Equal(0, early.SlurmJobsCancelled);
        Assert.Contains(await SlurmControl.StateAsync(lateSlurm), new[] { "PENDING", "RUNNING" });

        await WaitUntilAsync(late.EndedAt!.Value + SlurmLeftoverApp.Grace);
        // Two replicas' reconcilers at once, then another round: cancelling twice, or a job already cancelled, is harmless.
        var racing = await Task.WhenAll(ReconcileAsync(), ReconcileAsync());
        await PollAsync(async () => await SlurmControl.StateAsync(lateSlurm) == "CANCELLED", "Slurm to record the leftover cancelled");
        var again = await ReconcileAsync();

        Assert.InRange(racing.Sum(r => r.SlurmJobsCancelled), 1, 2);
        Assert.Equal(0, again.SlurmJobsCancelled);
        Assert.Equal("RUNNING", await SlurmControl.StateAsync(live.ExternalId!));
        Assert.Equal(AllocationState.Running, (await SegmentAsync(live.JobId)).State);
        Assert.Contains(await SlurmControl.StateAsync(foreignSlurm), new[] { "PENDING", "RUNNING" });

        await SlurmControl.CancelAsync(foreignSlurm);
        (await client.PostAsync($"/v1/jobs/{liveJob.Id()}/cancel", null)).EnsureSuccessStatusCode();
        await app.StepUntilAsync(async () => (await SegmentAsync(live.JobId)).State == AllocationState.Closed, "the live job to be released");
        Assert.Equal("CANCELLED", await SlurmControl.StateAsync(live.ExternalId!));
    }

    private async Task<Allocation> SegmentAsync(Guid jobId)
    {
        await using var db = app.NewDbContext();
        return await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == jobId);
    }

    private Task<Reconciler.Result> ReconcileAsync() => app.WithScopeAsync(s => s.GetRequiredService<Reconciler>().RunAsync(default));

    /// <summary>Submits a Broker-named job for <paramref name="allocationId"/> straight to Slurm; returns its Slurm job id.</summary>
    private Task<string> SubmitAsync(Guid allocationId, string node) => app.WithScopeAsync(async s =>
    {
        var team = s.GetRequiredService<OnPremTenancy>().For(SlurmLeftoverApp.Team)!;
        var request = new OnPremJobRequest(AllocationId: allocationId, JobId: Guid.NewGuid(), Node: node, GpuType: "L4", Gpus: 1,
            TimeLimit: TimeSpan.FromMinutes(10), Script: "#!/bin/bash\nsleep 600\n", Environment: new Dictionary<string, string>(),
            UserName: team.User, Account: team.Account, OutputDirectory: team.OutputDirectory, MemoryMb: 512);
        return (await s.GetRequiredService<IOnPremCluster>().SubmitAsync(request, default)).ClusterJobId;
    });

    private static async Task WaitUntilAsync(DateTimeOffset moment)
    {
        var wait = moment - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    private static async Task PollAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(250);
        }
    }
}
