using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Costs;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Broker.Providers.Simulated;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>
/// Cloud gangs (ADR 0012) on the simulated clouds through the real lifecycle and PostgreSQL: the team has no on-prem user,
/// so a 16-GPU H100 job (larger than any H100 instance, 8 GPUs) runs as 2 instances of one type in one zone.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class CloudGangTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private const string Team = "cloudgang";

    private static JsonObject Body(string name, bool spot, int minutes)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = 16, ["models"] = new JsonArray("H100-80GB") };
        body["spot"] = spot ? new JsonObject { ["allowed"] = true, ["checkpointIntervalMinutes"] = 10 } : new JsonObject { ["allowed"] = false };
        body["estimatedDurationMinutes"] = minutes;
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    private SimulatedCloud Cloud(string provider) => app.Services.GetRequiredService<SimulatedClouds>()[provider];

    [Fact]
    public async Task A_16_gpu_cloud_only_job_runs_as_two_8_gpu_instances_in_one_placement_group_and_the_ledger_bills_both()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", Team));
        var job = await JobApi.SubmitAsync(client, Body("cloud-gang-16", spot: false, minutes: 30));

        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, job.Id())).Str("state") == "succeeded", "the cloud gang to finish");
        await app.StepUntilAsync(async () => (await app.SegmentsAsync(job.Id())).All(a => a.State == AllocationState.Closed), "the gang's release");

        var segment = Assert.Single(await app.SegmentsAsync(job.Id()));
        Assert.Equal((16, 2, AllocationEnd.Completed, CapacityType.OnDemand), (segment.Gpus, segment.InstanceCount, segment.End, segment.Market));
        var members = segment.MemberInstanceIds!;
        Assert.Equal(2, members.Distinct().Count());
        Assert.Equal(members[0], segment.ExternalId);
        var launched = Cloud(segment.Provider).InstancesOf(segment.Id);
        Assert.Equal(members.Order(), launched.Select(i => i.InstanceId).Order());
        Assert.All(launched, i => Assert.Equal((segment.Zone, segment.InstanceType, InstanceState.Terminated), (i.Zone, i.InstanceType, i.State)));
        Assert.All(members, id => Assert.Equal(CloudGang.PlacementGroupName(segment.Id), Cloud(segment.Provider).PlacementGroupOf(id)));

        var done = await JobApi.GetAsync(client, job.Id());
        var placed = done["timeline"]!.AsArray().Single(e => e!.Str("kind") == "placed")!.Str("message");
        Assert.Contains("gang of 2 x", placed, StringComparison.Ordinal);
        var starting = done["timeline"]!.AsArray().Single(e => e!.Str("kind") == "starting")!.Str("message");
        Assert.All(members, id => Assert.Contains(id, starting, StringComparison.Ordinal));
        var shown = done["segments"]!.AsArray().Single()!;
        Assert.Equal(2, shown["instances"]!.GetValue<int>());
        Assert.Equal(members, shown["memberInstances"]!.AsArray().Select(n => n!.GetValue<string>()));

        // One ledger entry per member instance, each one instance's GPUs at the catalog's price of that instance type.
        await app.StepUntilAsync(async () =>
        {
            await app.WithScopeAsync(s => s.GetRequiredService<CostRecorder>().RecordAsync(segment.Id, default));
            await using var check = app.NewDbContext();
            return await check.CostRecordings.AnyAsync(r => r.AllocationId == segment.Id);
        }, "the gang's ledger entries");
        await using var db = app.NewDbContext();
        var entries = await db.CostEntries.AsNoTracking().Where(e => e.AllocationId == segment.Id && e.Kind == CostEntryKind.Usage).ToListAsync();
        var offer = await db.Offers.AsNoTracking().SingleAsync(o => o.Provider == segment.Provider && o.Region == segment.Region
            && o.Zone == segment.Zone && o.InstanceType == segment.InstanceType);
        Assert.Equal(members.Order(), entries.Select(e => e.InstanceId!).Distinct().Order());
        Assert.All(entries, e => Assert.Equal((8, offer.OnDemandPerHour), (e.GpuCount, e.PricePerHour)));
        Assert.All(entries, e => Assert.True(e.Cost > 0, "each member is billed for its lifetime"));
        Assert.Equal(entries.Where(e => e.InstanceId == members[0]).Sum(e => e.Cost), entries.Where(e => e.InstanceId == members[1]).Sum(e => e.Cost));
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task When_one_member_cannot_launch_the_launched_member_is_terminated_the_offer_blocked_and_the_job_waits_again()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", Team));
        var job = await JobApi.SubmitAsync(client, Body("cloud-gang-no-capacity", spot: false, minutes: 30));
        var allocationId = (await app.WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default))).Single();
        var gang = (await app.SegmentsAsync(job.Id())).Single(a => a.Id == allocationId);
        Assert.Equal(2, gang.InstanceCount);
        var cloud = Cloud(gang.Provider);
        // Someone else in the account holds all but one of the offer's capacity: the first member launches, the second cannot.
        var others = new List<ProviderInstance>();
        try
        {
            for (var i = 0; i < new SimulatedCloudOptions().CapacityPerOffer - 1; i++)
            {
                others.Add(cloud.LaunchExternal(gang.Region!, gang.InstanceType!, gang.Market));
            }

            await app.WithScopeAsync(async s => { await s.GetRequiredService<AllocationWorker>().ProvisionAsync(allocationId, default); return 0; });

            var ended = (await app.SegmentsAsync(job.Id())).Single(a => a.Id == allocationId);
            Assert.Equal((AllocationState.Closed, AllocationEnd.NoCapacity), (ended.State, ended.End!.Value));
            Assert.Contains("gang member 2 of 2", ended.EndReason, StringComparison.Ordinal);
            var launched = Assert.Single(cloud.InstancesOf(allocationId));
            Assert.Equal(InstanceState.Terminated, launched.State);
            await using var db = app.NewDbContext();
            var block = await db.OfferBlocks.AsNoTracking().SingleAsync(b => b.Key == $"offering:{gang.Provider}/{gang.Region}/{gang.Zone ?? "-"}/{gang.InstanceType}/{gang.Market}");
            Assert.True(block.Until > DateTimeOffset.UtcNow);
            Assert.Equal(JobState.Pending, (await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == Guid.Parse(job.Id()))).State);
            Assert.Contains(((await JobApi.GetAsync(client, job.Id()))["timeline"]!.AsArray()), e => e!.Str("kind") == "requeued");
            await Invariants.CheckAsync(app);
        }
        finally
        {
            foreach (var other in others)
            {
                await cloud.TerminateAsync(other.Region, other.Zone, other.InstanceId, default);
            }
            (await client.PostAsync($"/v1/jobs/{job.Id()}/cancel", null)).Dispose();
        }
        await app.StepUntilAsync(async () => (await app.SegmentsAsync(job.Id())).All(a => a.State == AllocationState.Closed), "the cancelled job's segments to close");
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task A_spot_interruption_of_one_member_terminates_every_member_and_requeues_the_gang_once_from_its_checkpoint()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", Team));
        var job = await JobApi.SubmitAsync(client, Body("cloud-gang-spot", spot: true, minutes: 240));
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, job.Id())).Str("state") == "running", "the gang to run");
        var first = (await app.SegmentsAsync(job.Id())).Single(a => a.State == AllocationState.Running);
        Assert.Equal((CapacityType.Spot, 2), (first.Market, first.MemberInstanceIds!.Count));
        // The lifecycle counts checkpoints in real time: the gang is made to have started 35 minutes ago (three 10-minute checkpoints).
        await using (var rewind = app.NewDbContext())
        {
            var earlier = first.StartedAt!.Value.AddMinutes(-35);
            await rewind.Allocations.Where(a => a.Id == first.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.StartedAt, earlier));
        }

        Assert.True(Cloud(first.Provider).InterruptNow(first.MemberInstanceIds[1]));
        await app.StepUntilAsync(async () => (await JobApi.GetAsync(client, job.Id())).Str("state") == "succeeded", "the requeued gang to finish", 120);
        await app.StepUntilAsync(async () => (await app.SegmentsAsync(job.Id())).All(a => a.State == AllocationState.Closed), "the gang's release");

        var segments = await app.SegmentsAsync(job.Id());
        Assert.Equal([AllocationEnd.Interrupted, AllocationEnd.Completed], segments.Select(a => a.End!.Value));
        Assert.All(Cloud(first.Provider).InstancesOf(first.Id), i => Assert.Equal(InstanceState.Terminated, i.State));
        Assert.Equal(2, Cloud(first.Provider).InstancesOf(first.Id).Count);
        var timeline = (await JobApi.GetAsync(client, job.Id()))["timeline"]!.AsArray();
        var preempted = Assert.Single(timeline, e => e!.Str("kind") == "preempted")!;
        Assert.Contains("requeued with 30 min checkpointed", preempted.Str("message"), StringComparison.Ordinal);
        Assert.Equal(2, timeline.Count(e => e!.Str("kind") == "started"));
        await using var db = app.NewDbContext();
        var done = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == Guid.Parse(job.Id()));
        Assert.Equal(1, done.Interruptions);
        Assert.Equal(TimeSpan.FromMinutes(30), done.SavedProgress);
        await Invariants.AssertNothingLeftAsync(app);
    }
}
