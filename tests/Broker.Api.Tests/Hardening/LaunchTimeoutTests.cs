using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Faults;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Broker.Providers.Simulated;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Hardening;

/// <summary>
/// The stepped lifecycle app with an 8-second launch timeout (a cold first case on a loaded machine took over 3 s to set up) and cloud instances that take a simulated day (24 s) to boot,
/// so any segment can be left stuck before it runs.
/// </summary>
public sealed class LaunchTimeoutApp : LifecycleApp
{
    public const string Team = "launch-timeout";

    public static readonly TimeSpan LaunchTimeout = TimeSpan.FromSeconds(8);

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Lifecycle:LaunchTimeout"] = LaunchTimeout.ToString(),
        ["Lifecycle:OnPremStartWatch"] = "00:00:00",
        ["Providers:Simulated:ProvisioningDelay"] = "1.00:00:00",
        [$"OnPrem:Teams:{Team}:User"] = SlurmServer.TeamUserA,
    };
}

/// <summary>What a segment was doing when it got stuck before running.</summary>
public enum StuckBeforeRunning
{
    /// <summary>Requested; the cloud created the instance but its answer was lost (the reconciler adopts it by tag).</summary>
    CloudRequestedAnswerLost,
    /// <summary>Provisioning; the instance never comes up in time.</summary>
    CloudProvisioning,
    /// <summary>
    /// Provisioning without the instance id on the row and no instance of it listed (no code path writes such a row today;
    /// with the instance listed the reconciler adopts it, but without one the row was never judged at all).
    /// </summary>
    CloudProvisioningWithoutInstanceId,
    /// <summary>Requested on-prem; nothing was ever submitted to Slurm.</summary>
    OnPremRequestedNeverSubmitted,
    /// <summary>Requested on-prem; Slurm has the job, pending, but the submit's answer was lost.</summary>
    OnPremRequestedAnswerLost,
    /// <summary>Provisioning on-prem; Slurm keeps the job pending (the node's GPUs are taken by another Slurm job).</summary>
    OnPremProvisioningPending,
}

/// <summary>
/// The launch timeout covers every state before running: a segment stuck past it in any of them is closed with
/// <see cref="AllocationEnd.LaunchTimeout"/>, what it created is torn down, and its job is requeued once. (A cloud segment
/// still requested because every create failed transiently is <see cref="LaunchFailureTests"/>' case, under Hangfire.)
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class LaunchTimeoutTests(LaunchTimeoutApp app) : IClassFixture<LaunchTimeoutApp>
{
    [Theory]
    [InlineData(StuckBeforeRunning.CloudRequestedAnswerLost)]
    [InlineData(StuckBeforeRunning.CloudProvisioning)]
    [InlineData(StuckBeforeRunning.CloudProvisioningWithoutInstanceId)]
    [InlineData(StuckBeforeRunning.OnPremRequestedNeverSubmitted)]
    [InlineData(StuckBeforeRunning.OnPremRequestedAnswerLost)]
    [InlineData(StuckBeforeRunning.OnPremProvisioningPending)]
    public async Task A_segment_stuck_before_running_past_the_launch_timeout_is_torn_down_and_its_job_requeued_once(StuckBeforeRunning stuck)
    {
        var onPrem = stuck.ToString().StartsWith("OnPrem", StringComparison.Ordinal);
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", LaunchTimeoutApp.Team));
        var job = await JobApi.SubmitAsync(client, FaultJobs.Body($"stuck-{stuck}", [onPrem ? "L4" : "A10G"], ["sleep", "600"], minutes: 60));
        await app.WithScopeAsync(s => s.GetRequiredService<InventorySync>().RunAsync(default));
        var allocationId = (await app.WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default))).Single();
        var placed = await SegmentAsync(allocationId);
        Assert.Equal(onPrem, placed.IsOnPrem);
        string? blocker = null;
        try
        {
            if (stuck is StuckBeforeRunning.OnPremRequestedAnswerLost or StuckBeforeRunning.OnPremProvisioningPending)
            {
                blocker = await TakeIdleGpusAsync(placed.Node!);
            }
            var slurmJob = await LeaveStuckAsync(stuck, placed);
            Assert.True(DateTimeOffset.UtcNow - placed.CreatedAt < LaunchTimeoutApp.LaunchTimeout, "set up slower than the launch timeout");
            if (stuck != StuckBeforeRunning.CloudRequestedAnswerLost)
            {
                // Not before its time (a reconciler round would adopt the lost instance, so that one is judged as requested).
                Assert.Equal(0, (await ReconcileAsync()).TimedOut);
            }
            var due = placed.CreatedAt + LaunchTimeoutApp.LaunchTimeout + TimeSpan.FromMilliseconds(500) - DateTimeOffset.UtcNow;
            await Task.Delay(due > TimeSpan.Zero ? due : TimeSpan.Zero);

            var first = await ReconcileAsync();
            var second = await ReconcileAsync();

            Assert.Equal((1, 0), (first.TimedOut, second.TimedOut));
            var closed = await SegmentAsync(allocationId);
            Assert.Equal((AllocationState.Closed, AllocationEnd.LaunchTimeout), (closed.State, closed.End!.Value));
            await using (var db = app.NewDbContext())
            {
                Assert.Equal(1, await db.Allocations.CountAsync(a => a.JobId == placed.JobId));
            }
            var requeued = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}"))!;
            Assert.Equal("pending", requeued.Str("state"));
            var last = requeued["timeline"]!.AsArray().Last()!;
            Assert.Equal("requeued", last.Str("kind"));
            Assert.StartsWith(closed.EndReason!, last.Str("message"), StringComparison.Ordinal);
            if (onPrem)
            {
                Assert.Equal(slurmJob is null ? null : "CANCELLED", slurmJob is null ? null : await SlurmControl.StateAsync(slurmJob));
                Assert.DoesNotContain(await app.WithScopeAsync(s => s.GetRequiredService<IOnPremCluster>().ListBrokerJobsAsync(default)),
                    j => j.AllocationId == allocationId && j.State is OnPremJobState.Pending or OnPremJobState.Running);
            }
            else
            {
                var instances = app.Services.GetRequiredService<SimulatedClouds>()[placed.Provider].InstancesOf(allocationId);
                Assert.Equal(InstanceState.Terminated, Assert.Single(instances).State);
            }
        }
        finally
        {
            if (blocker is not null)
            {
                await SlurmControl.CancelAsync(blocker);
            }
            (await client.PostAsync($"/v1/jobs/{job.Id()}/cancel", null)).EnsureSuccessStatusCode();
        }
    }

    /// <summary>Leaves the placed segment in the state <paramref name="stuck"/> names; returns its Slurm job id, if it has one.</summary>
    private async Task<string?> LeaveStuckAsync(StuckBeforeRunning stuck, Allocation placed)
    {
        switch (stuck)
        {
            case StuckBeforeRunning.CloudRequestedAnswerLost:
                var cloud = app.Services.GetRequiredService<SimulatedClouds>()[placed.Provider];
                await cloud.CreateAsync(new InstanceRequest(placed.Id, placed.JobId, placed.Region!, placed.Zone, placed.InstanceType!,
                    placed.Market, null, "#!/bin/bash\n# BROKER_SIM_DURATION_SECONDS=60\n"), default);
                return null;
            case StuckBeforeRunning.OnPremRequestedNeverSubmitted:
                return null;
            case StuckBeforeRunning.OnPremRequestedAnswerLost:
                var submitted = await SubmitAsync(placed.Id, placed.JobId, placed.Node!, placed.Gpus);
                Assert.Equal("PENDING", await SlurmControl.StateAsync(submitted));
                return submitted;
        }
        await app.WithScopeAsync(async s => { await s.GetRequiredService<AllocationWorker>().ProvisionAsync(placed.Id, default); return 0; });
        var provisioning = await SegmentAsync(placed.Id);
        Assert.Equal(AllocationState.Provisioning, provisioning.State);
        if (stuck == StuckBeforeRunning.CloudProvisioningWithoutInstanceId)
        {
            await app.Services.GetRequiredService<SimulatedClouds>()[placed.Provider].TerminateAsync(placed.Region!, placed.Zone, provisioning.ExternalId!, default);
            await using var db = app.NewDbContext();
            await db.Allocations.Where(a => a.Id == placed.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.ExternalId, (string?)null));
        }
        if (placed.IsOnPrem)
        {
            Assert.Equal("PENDING", await SlurmControl.StateAsync(provisioning.ExternalId!));
            return provisioning.ExternalId;
        }
        return null;
    }

    /// <summary>Another Slurm job takes every idle GPU of the node and runs; returns its Slurm job id.</summary>
    private async Task<string> TakeIdleGpusAsync(string node)
    {
        var inventory = await app.WithScopeAsync(s => s.GetRequiredService<IOnPremCluster>().GetInventoryAsync(default));
        var idle = inventory.Nodes.Single(n => n.Name == node).GpuIdle;
        Assert.True(idle > 0, $"node {node} has no idle GPU to take");
        var blocker = await SubmitAsync(Guid.NewGuid(), Guid.NewGuid(), node, idle);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await SlurmControl.StateAsync(blocker) != "RUNNING")
        {
            Assert.True(DateTime.UtcNow < deadline, "the GPU-taking job never ran");
            await Task.Delay(200);
        }
        return blocker;
    }

    /// <summary>A job of the team's straight to Slurm under the allocation's name, as the adapter names it.</summary>
    private Task<string> SubmitAsync(Guid allocationId, Guid jobId, string node, int gpus) => app.WithScopeAsync(async s =>
    {
        var team = s.GetRequiredService<OnPremTenancy>().For(LaunchTimeoutApp.Team)!;
        var request = new OnPremJobRequest(AllocationId: allocationId, JobId: jobId, Node: node, GpuType: "L4", Gpus: gpus,
            TimeLimit: TimeSpan.FromMinutes(10), Script: "#!/bin/bash\nsleep 600\n", Environment: new Dictionary<string, string>(),
            UserName: team.User, Account: team.Account, OutputDirectory: team.OutputDirectory, MemoryMb: 512);
        return (await s.GetRequiredService<IOnPremCluster>().SubmitAsync(request, default)).ClusterJobId;
    });

    private Task<Reconciler.Result> ReconcileAsync() => app.WithScopeAsync(s => s.GetRequiredService<Reconciler>().RunAsync(default));

    private async Task<Allocation> SegmentAsync(Guid allocationId)
    {
        await using var db = app.NewDbContext();
        return await db.Allocations.AsNoTracking().SingleAsync(a => a.Id == allocationId);
    }
}
