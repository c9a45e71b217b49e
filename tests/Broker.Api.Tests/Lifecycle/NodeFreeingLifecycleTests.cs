using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Costs;
using Broker.Core.Jobs;
using Broker.Core.Placement;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>
/// The live move of running on-prem jobs that frees a node for a larger pending job (ADR 0009, session 30 amendment), on the
/// real PostgreSQL and the local Slurm cluster (two 8-GPU H100 nodes). Most tests hand the round a decision as the engine would
/// make it (the pending job's price cap keeps it from bursting, so the engine itself would not free a node for it); one lets
/// the engine decide the move in a pass.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class NodeFreeingLifecycleTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    // Below any H100 instance's price unless it may burst: such a job never bursts, so only a hand-made decision or a freed
    // node places it when no node has its GPUs idle.
    private static JsonObject Body(string name, int gpus, int sleepSeconds, int minutes, int? checkpointMinutes, bool mayBurst = false) =>
        H100Job.Body(name, gpus, ["sleep", sleepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)], minutes,
            checkpointMinutes, spotAllowed: false, mayBurst ? null : 2);


    private async Task<Allocation> RunningOnPremAsync(HttpClient client, string id)
    {
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, id)).Str("state") == "running"
            && (await app.SegmentsAsync(id)) is [{ IsOnPrem: true, State: AllocationState.Running }], $"job {id} to run on-prem");
        return (await app.SegmentsAsync(id)).Single();
    }

    private async Task<string> OtherNodeAsync(string node)
    {
        await using var db = app.NewDbContext();
        var model = await db.OnPremNodes.AsNoTracking().Where(n => n.Name == node).Select(n => n.GpuModel).SingleAsync();
        return await db.OnPremNodes.AsNoTracking().Where(n => n.Present && n.Name != node && n.GpuModel == model).OrderBy(n => n.Name)
            .Select(n => n.Name).FirstAsync();
    }

    private static PlacementPlan Freeing(string pendingId, string node, params NodeFreeingMove[] moves) => new("broker", DateTimeOffset.UtcNow,
        [new OnPremDecision(pendingId, node, 8, "H100-80GB", 16m, new Explanation($"on-prem {node} freed by moving {moves.Length} jobs", []),
            Moves: moves)]);

    /// <summary>The round's writes of a hand-made plan, with the terms a pass would read, in a scope of its own.</summary>
    private Task<IReadOnlyList<Guid>> ApplyAsync(PlacementPlan plan) => app.WithScopeAsync(async s =>
    {
        var snapshot = await s.GetRequiredService<PlacementSnapshotBuilder>().BuildAsync(TimeProvider.System, default);
        var terms = new Broker.Core.Policies.PolicyBook(snapshot.Policies, snapshot.DefaultPolicy);
        return await s.GetRequiredService<PlacementRound>().ApplyAsync(plan, terms, default);
    });

    /// <summary>Cancels the jobs, steps until every segment has closed, and checks nothing is left behind.</summary>
    private async Task CancelAndCloseAllAsync(HttpClient client, params string[] jobIds)
    {
        foreach (var id in jobIds)
        {
            (await client.PostAsync($"/v1/jobs/{id}/cancel", null)).Dispose();
        }
        await app.StepUntilAsync(async () =>
        {
            await using var db = app.NewDbContext();
            return !await db.Allocations.AnyAsync(a => a.State != AllocationState.Closed);
        }, "every segment to close");
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task A_decision_with_one_move_moves_the_job_once_places_the_pending_job_on_the_freed_node_and_releases_the_old_segment()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "defrag"));
        // Runs long enough to be moved, then restarts on the other node (checkpointing, so it may move).
        var moved = await JobApi.SubmitAsync(client, Body("defrag-moved", 1, 20, 60, 10));
        var old = await RunningOnPremAsync(client, moved.Id());
        var from = old.Node!;
        var to = await OtherNodeAsync(from);

        // The snapshot's progress is what the rule reads: checkpoints every 10 min, never moved, the rework under a checkpoint.
        var progress = await app.WithScopeAsync(async s =>
            (await s.GetRequiredService<PlacementSnapshotBuilder>().BuildAsync(TimeProvider.System, default)).RunningJobs
                .Single(r => r.JobId == moved.Id()).Progress);
        Assert.NotNull(progress);
        Assert.Equal((TimeSpan.FromMinutes(10), false, 0), (progress.CheckpointInterval, progress.Moved, progress.Preemptions));
        Assert.InRange(progress.SinceCheckpoint, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        Assert.Contains("H100-80GB", progress.AcceptableGpuModels);

        // Submitted and at once handed the decision, before any pass could place it on the idle node.
        var pending = await JobApi.SubmitAsync(client, Body("defrag-whole-node", 8, 2, 10, null));
        var plan = Freeing(pending.Id(), from, new NodeFreeingMove(moved.Id(), from, to, 1, "H100-80GB", 2m, TimeSpan.Zero));
        // Two rounds apply the same decision at once, then a third after them: one move, one placement.
        var applied = await Task.WhenAll(ApplyAsync(plan), ApplyAsync(plan));
        var again = await ApplyAsync(plan);
        Assert.Equal([0, 3], applied.Select(a => a.Count).Order());
        Assert.Empty(again);

        // The applying round hands the old segment over first, with the two new allocations. Carried out as a pass's
        // provisioning does, it is released at once, its Slurm job cancelled with no reconciler round, so the moved job does
        // not go on running on its old node beside its new segment.
        var toCarryOut = applied.Single(a => a.Count > 0);
        Assert.Equal(old.Id, toCarryOut[0]);
        var oneByOne = await app.WithScopeAsync(s => s.GetRequiredService<AllocationWorker>().ProvisionChunkAsync(toCarryOut, 4, default));
        Assert.Contains(old.Id, oneByOne);
        await app.WithScopeAsync(async s => { await s.GetRequiredService<AllocationWorker>().ProvisionAsync(old.Id, default); return 0; });
        Assert.Equal(AllocationState.Closed, (await app.SegmentsAsync(moved.Id()))[0].State);
        var cancelledBy = DateTime.UtcNow.AddSeconds(10);
        while (await app.WithScopeAsync(s => s.GetRequiredService<IOnPremCluster>().GetJobAsync(old.Id, default)) is { State: not OnPremJobState.Cancelled } oldJob)
        {
            Assert.True(DateTime.UtcNow < cancelledBy, $"the old segment's Slurm job is still {oldJob.State}");
            await Task.Delay(200);
        }

        var segments = await app.SegmentsAsync(moved.Id());
        Assert.Equal([(from, (AllocationEnd?)AllocationEnd.Migrated), (to, null)], segments.Select(a => (a.Node!, a.End)));
        var placed = Assert.Single(await app.SegmentsAsync(pending.Id()));
        Assert.Equal(from, placed.Node);
        Assert.Equal("placed", (await JobApi.GetAsync(client, pending.Id())).Str("state"));

        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, pending.Id())).Str("state") == "succeeded", "the pending job to run on the freed node");
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, moved.Id())).Str("state") == "succeeded", "the moved job to finish on the other node", 120);
        await app.StepUntilAsync(async () =>
        {
            await using var db = app.NewDbContext();
            return !await db.Allocations.AnyAsync(a => a.State != AllocationState.Closed);
        }, "every segment to close");

        var all = await app.SegmentsAsync(moved.Id());
        Assert.True(all is [_, { End: AllocationEnd.Completed }], string.Join("; ", all.Select(a => $"{a.Node} {a.End} {a.EndReason}")));
        var (oldSegment, newSegment) = (all[0], all[1]);
        var slurmJob = await app.WithScopeAsync(s => s.GetRequiredService<IOnPremCluster>().GetJobAsync(oldSegment.Id, default));
        Assert.Equal(OnPremJobState.Cancelled, slurmJob?.State);
        await using (var db = app.NewDbContext())
        {
            var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == Guid.Parse(moved.Id()));
            Assert.Equal((1, 0), (job.Migrations, job.Interruptions));
            // The old segment is billed to its Slurm job's cancel (a round after the move), the new one from its own start
            // after the move: one entry each, on their own nodes.
            var usage = await db.CostEntries.AsNoTracking().Where(e => e.JobId == job.Id && e.Kind == CostEntryKind.Usage).ToListAsync();
            var oldBilled = Assert.Single(usage, e => e.AllocationId == oldSegment.Id);
            var newBilled = Assert.Single(usage, e => e.AllocationId == newSegment.Id);
            // Slurm's times are whole seconds.
            Assert.True(oldBilled.EndedAt <= slurmJob!.EndedAt!.Value.AddSeconds(1),
                $"the old segment is billed to {oldBilled.EndedAt:O}, after its Slurm job ended at {slurmJob.EndedAt:O}");
            Assert.True(newBilled.StartedAt >= oldSegment.EndedAt!.Value.AddSeconds(-1),
                $"the new segment is billed from {newBilled.StartedAt:O}, before the move at {oldSegment.EndedAt:O}");
            Assert.Equal((from, to), (oldBilled.Node, newBilled.Node));
        }
        var timeline = (await JobApi.GetAsync(client, moved.Id()))["timeline"]!.AsArray();
        var move = Assert.Single(timeline, e => e!.Str("kind") == "migrated")!;
        Assert.Contains($"to on-prem node {to}", move.Str("message"), StringComparison.Ordinal);
        Assert.DoesNotContain(timeline, e => e!.Str("kind") == "preempted");
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task The_engine_frees_a_node_for_a_whole_node_job_that_would_burst_by_moving_the_job_that_checkpoints()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "defrag"));
        // Both H100 nodes end up pinned by one 1-GPU job each: a 7-GPU job fills the first node beside the job that
        // checkpoints, so the one that may not be stopped (no checkpoints, no spot) lands on the other node; then it ends.
        var mover = await JobApi.SubmitAsync(client, Body("engine-moves", 1, 120, 600, 10));
        var moverFrom = (await RunningOnPremAsync(client, mover.Id())).Node!;
        var filler = await JobApi.SubmitAsync(client, Body("engine-fills", 7, 8, 600, null));
        Assert.Equal(moverFrom, (await RunningOnPremAsync(client, filler.Id())).Node);
        var stayer = await JobApi.SubmitAsync(client, Body("engine-stays", 1, 120, 600, null));
        var stayerNode = (await RunningOnPremAsync(client, stayer.Id())).Node!;
        Assert.NotEqual(moverFrom, stayerNode);
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, filler.Id())).Str("state") == "succeeded", "the 7-GPU job to end");

        // No node has 8 idle GPUs: the whole-node job would burst at once (no wait before bursting here), and the pass
        // instead moves the checkpointing job onto the other node and starts it on the node that frees.
        var whole = await JobApi.SubmitAsync(client, Body("engine-whole-node", 8, 2, 60, null, mayBurst: true));
        await app.StepUntilAsync(async () => (await app.SegmentsAsync(whole.Id())).Count > 0, "the whole-node job to be placed");
        var placed = Assert.Single(await app.SegmentsAsync(whole.Id()));
        Assert.True(placed.IsOnPrem, $"placed at {placed.Provider} {placed.Region}, not on-prem");
        Assert.Equal(moverFrom, placed.Node);
        var shown = (await JobApi.GetAsync(client, whole.Id())).ToJsonString();
        Assert.Contains($"freed by moving {mover.Id()} (1 GPU) to {stayerNode}", shown, StringComparison.Ordinal);
        Assert.Equal([(moverFrom, (AllocationEnd?)AllocationEnd.Migrated), (stayerNode, null)],
            (await app.SegmentsAsync(mover.Id())).Select(a => (a.Node!, a.End)));
        Assert.True(await app.SegmentsAsync(stayer.Id()) is [{ State: AllocationState.Running, End: null }], "the job that may not stop is left alone");

        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, whole.Id())).Str("state") == "succeeded", "the whole-node job to run on-prem");
        await CancelAndCloseAllAsync(client, mover.Id(), stayer.Id());
    }

    [Fact]
    public async Task A_decision_whose_moved_job_ended_since_the_snapshot_is_rolled_back_whole()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "defrag"));
        var stays = await JobApi.SubmitAsync(client, Body("defrag-stays", 1, 300, 60, 10));
        var stayed = await RunningOnPremAsync(client, stays.Id());
        var ends = await JobApi.SubmitAsync(client, Body("defrag-ends", 1, 300, 60, 10));
        var ended = await RunningOnPremAsync(client, ends.Id());
        (await client.PostAsync($"/v1/jobs/{ends.Id()}/cancel", null)).Dispose();
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, ends.Id())).Str("state") == "cancelled", "the cancel");

        var pending = await JobApi.SubmitAsync(client, Body("defrag-not-placed", 8, 2, 10, null));
        var plan = Freeing(pending.Id(), stayed.Node!,
            new NodeFreeingMove(stays.Id(), stayed.Node!, await OtherNodeAsync(stayed.Node!), 1, "H100-80GB", 2m, TimeSpan.Zero),
            new NodeFreeingMove(ends.Id(), ended.Node!, await OtherNodeAsync(ended.Node!), 1, "H100-80GB", 2m, TimeSpan.Zero));
        Assert.Empty(await ApplyAsync(plan));

        // Nothing half-written: the first move (valid on its own) did not happen, the pending job is not placed.
        Assert.Equal([(AllocationState.Running, (AllocationEnd?)null)], (await app.SegmentsAsync(stays.Id())).Select(a => (a.State, a.End)));
        Assert.Empty(await app.SegmentsAsync(pending.Id()));
        await using (var db = app.NewDbContext())
        {
            var jobs = await db.Jobs.AsNoTracking().Where(j => j.Id == Guid.Parse(stays.Id()) || j.Id == Guid.Parse(pending.Id()))
                .ToDictionaryAsync(j => j.Id.ToString());
            Assert.Equal((JobState.Running, 0), (jobs[stays.Id()].State, jobs[stays.Id()].Migrations));
            Assert.Equal(JobState.Pending, jobs[pending.Id()].State);
        }

        await CancelAndCloseAllAsync(client, stays.Id(), pending.Id());
    }
}
