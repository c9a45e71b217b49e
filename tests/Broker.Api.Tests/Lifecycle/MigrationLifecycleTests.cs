using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Policies;
using Broker.Core.Capacity;
using Broker.Core.Costs;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>
/// The live move of a cloud job back on-prem (ADR 0009, amendment), on the real PostgreSQL, the local Slurm
/// cluster (two 8-GPU H100 nodes) and the simulated clouds.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class MigrationLifecycleTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    // The blocker (more GPUs than a node) is on-prem's: below any H100 instance's price it cannot burst.
    private static JsonObject Body(string name, int gpus, string[] command, int minutes, int? checkpointMinutes, bool spotAllowed = false) =>
        H100Job.Body(name, gpus, command, minutes, checkpointMinutes, spotAllowed, gpus > 8 ? 2 : null);


    private async Task<bool> RunningInCloudAsync(HttpClient client, string id) =>
        (await JobApi.GetAsync(client, id)).Str("state") == "running" && (await app.SegmentsAsync(id)) is [{ IsOnPrem: false, State: AllocationState.Running }];

    [Fact]
    public async Task A_checkpointing_cloud_job_and_a_restartable_one_move_back_on_prem_once_and_one_that_neither_checkpoints_nor_accepts_interruption_stays()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "migrate"));
        var blocker = await JobApi.SubmitAsync(client, Body("migrate-blocker", 16, ["sleep", "600"], 60, null));
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, blocker.Id())).Str("state") is "starting" or "running", "the blocker to fill on-prem");

        // 48 and 24 simulated hours: 48 and 24 s in the simulated cloud, far more than the move takes.
        var mover = await JobApi.SubmitAsync(client, Body("migrate-ckpt", 1, ["sleep", "2"], 2880, 10));
        var stayer = await JobApi.SubmitAsync(client, Body("migrate-no-ckpt", 1, ["sleep", "2"], 1440, null));
        // No checkpoints but spot allowed: it accepts restarting from the start, so it may move with all its work as rework.
        // Its team's policy keeps it on-demand (a spot H100 here costs less than an on-prem GPU-hour: nothing to save).
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        await PolicyApi.ReplaceAsync(ops, "migrate-od", """{"markets":["on-demand"]}""");
        using var onDemandTeam = app.ClientWithKey(await app.CreateKeyAsync("submitter", "migrate-od"));
        var restarter = await JobApi.SubmitAsync(onDemandTeam, Body("migrate-restart", 1, ["sleep", "2"], 2880, null, spotAllowed: true));
        await app.StepUntilAsync(async () => await RunningInCloudAsync(client, mover.Id()) && await RunningInCloudAsync(client, stayer.Id())
            && await RunningInCloudAsync(onDemandTeam, restarter.Id()), "the three jobs to run in the cloud on-demand");
        foreach (var id in new[] { mover.Id(), restarter.Id() })
        {
            Assert.Equal(CapacityType.OnDemand, (await app.SegmentsAsync(id)).Single().Market);
        }

        (await client.PostAsync($"/v1/jobs/{blocker.Id()}/cancel", null)).Dispose();
        await app.StepUntilAsync(async () => (await app.SegmentsAsync(mover.Id())).Any(a => a.End == AllocationEnd.Migrated)
            && (await app.SegmentsAsync(restarter.Id())).Any(a => a.End == AllocationEnd.Migrated), "the two moves back on-prem", 40);

        // Passes run again, two at once, while the instance may still be terminating: the moved job is not placed again (the
        // once-only guard of the move itself is pinned by the Core JobLifecycle tests; a stale decision cannot be fed in here).
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => app.WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default, waitForLock: true))));
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, mover.Id())).Str("state") == "succeeded", "the moved job to finish on-prem");
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(onDemandTeam, restarter.Id())).Str("state") == "succeeded", "the restarted job to finish on-prem");
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, stayer.Id())).Str("state") == "succeeded", "the cloud job to finish", 60);
        await app.StepUntilAsync(async () =>
        {
            await using var db = app.NewDbContext();
            return !await db.Allocations.AnyAsync(a => a.State != AllocationState.Closed);
        }, "every segment to close");

        var segments = await app.SegmentsAsync(mover.Id());
        Assert.Equal([(false, AllocationEnd.Migrated), (true, AllocationEnd.Completed)], segments.Select(a => (a.IsOnPrem, a.End!.Value)));
        var (moved, onPrem) = (segments[0], segments[1]);
        Assert.StartsWith("gpu-h100-", onPrem.Node, StringComparison.Ordinal);
        var instances = await app.WithScopeAsync(s => s.GetRequiredService<ComputeProviders>().Get(moved.Provider).ListManagedAsync(default));
        Assert.DoesNotContain(instances, i => i.AllocationId == moved.Id);

        var timeline = (await JobApi.GetAsync(client, mover.Id()))["timeline"]!.AsArray();
        var migrated = Assert.Single(timeline, e => e!.Str("kind") == "migrated")!;
        Assert.Contains($"to on-prem node {onPrem.Node}", migrated.Str("message"), StringComparison.Ordinal);
        Assert.Contains(moved.Provider, migrated.Str("message"), StringComparison.Ordinal);
        Assert.Equal(2, timeline.Count(e => e!.Str("kind") == "started"));
        Assert.DoesNotContain(timeline, e => e!.Str("kind") == "preempted");

        await using (var db = app.NewDbContext())
        {
            var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == Guid.Parse(mover.Id()));
            Assert.Equal((1, 0), (job.Migrations, job.Interruptions));
            // The cloud segment is billed from its start to its instance's end after the move, not on with the job. (The
            // on-prem run is 2 s, so the instance may well outlive it while it terminates: no order between the two ends.)
            var billed = await db.CostEntries.AsNoTracking().Where(e => e.AllocationId == moved.Id && e.Kind == CostEntryKind.Usage).ToListAsync();
            Assert.NotEmpty(billed);
            Assert.All(billed, e => Assert.True(e.EndedAt <= moved.EndedAt!.Value,
                $"cloud usage billed to {e.EndedAt:O}, the segment ended {moved.EndedAt:O}"));
            Assert.True(moved.EndedAt!.Value <= onPrem.StartedAt!.Value + TimeSpan.FromSeconds(30), "the instance went soon after the move");
        }

        var restarted = await app.SegmentsAsync(restarter.Id());
        Assert.Equal([(false, AllocationEnd.Migrated), (true, AllocationEnd.Completed)], restarted.Select(a => (a.IsOnPrem, a.End!.Value)));
        var restartMove = Assert.Single((await JobApi.GetAsync(onDemandTeam, restarter.Id()))["timeline"]!.AsArray(), e => e!.Str("kind") == "migrated")!;
        Assert.Contains("with 0 min checkpointed", restartMove.Str("message"), StringComparison.Ordinal);
        await using (var db = app.NewDbContext())
        {
            var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == Guid.Parse(restarter.Id()));
            Assert.Equal((1, 0, TimeSpan.Zero), (job.Migrations, job.Interruptions, job.SavedProgress));
        }

        var stayed = await app.SegmentsAsync(stayer.Id());
        Assert.Equal([(false, AllocationEnd.Completed)], stayed.Select(a => (a.IsOnPrem, a.End!.Value)));
        Assert.DoesNotContain((await JobApi.GetAsync(client, stayer.Id()))["timeline"]!.AsArray(), e => e!.Str("kind") == "migrated");
        await Invariants.AssertNothingLeftAsync(app);
    }
}
