using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Policies;
using Broker.Core.Capacity;
using Broker.Core.Costs;
using Broker.Core.Provisioning;
using Broker.Providers.Simulated;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>
/// The spot-interruption waiver of a cloud gang (ADR 0012, docs/costs.md): EC2 does not bill a spot instance it reclaims
/// in its first hour, and only that one. The members Broker terminates because their sibling was reclaimed are ordinary
/// terminations, billed for their lifetime. Real lifecycle and PostgreSQL, the simulated aws cloud (the team may use aws
/// only, and has no on-prem user), a 16-GPU spot job running as 2 x p5.48xlarge.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class GangSpotWaiverTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private const string Team = "gangwaiver";

    [Fact]
    public async Task Only_the_member_the_cloud_reclaimed_is_waived_and_the_members_Broker_terminated_are_billed()
    {
        using var client = await ClientAsync();
        var (job, gang) = await RunningGangAsync(client, "waiver-notice");

        // The cloud reclaims the second member; its boot script's notice names it (the simulated bridge stands in for it).
        Assert.True(Cloud.InterruptNow(gang.MemberInstanceIds![1]));
        var ended = await ClosedAsync(gang.Id);
        Assert.Equal(AllocationEnd.Interrupted, ended.End);

        var entries = await PricedAsync(gang.Id);
        AssertWaived(entries, gang.MemberInstanceIds[1]);
        AssertBilledForItsLifetime(entries, gang.MemberInstanceIds[0], ended);
        Assert.Equal([1], ended.ReclaimedMembers);

        // The interruption handled again: the same notice (a retry), the other member's notice, the reconciler on another
        // replica, the ledger sweep. Nothing changes.
        var again = await app.WithScopeAsync(s => s.GetRequiredService<AllocationWorker>().HandleEventAsync(
            new InstanceEvent(gang.Id, InstanceEventKind.InterruptionNotice, 2, null, Member: 1), CallbackPurpose.CloudInstance, default));
        // A duplicate, or refused as not live when the reconciler saw the member gone before the notice came.
        Assert.Contains(again.Result, new[] { InstanceEventResult.Duplicate, InstanceEventResult.Conflict });
        var sibling = await app.WithScopeAsync(s => s.GetRequiredService<AllocationWorker>().HandleEventAsync(
            new InstanceEvent(gang.Id, InstanceEventKind.InterruptionNotice, 2, null, Member: 0), CallbackPurpose.CloudInstance, default));
        Assert.Equal(InstanceEventResult.Conflict, sibling.Result);
        await Task.WhenAll(ReconcileAsync(), ReconcileAsync());
        Assert.Equal(RecordOutcome.AlreadyRecorded, await app.WithScopeAsync(s => s.GetRequiredService<CostRecorder>().RecordAsync(gang.Id, default)));
        Assert.Equal(Summary(entries), Summary(await EntriesAsync(gang.Id)));
        Assert.Equal([1], (await SegmentAsync(gang.Id)).ReclaimedMembers);

        // The job shows both members and how each ended.
        var shown = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job}"))!;
        var segment = shown["segments"]!.AsArray().Single(s => s!.Str("allocationId") == gang.Id.ToString())!;
        var members = segment["memberEnds"]!.AsArray().Select(m => m!).ToList();
        Assert.Equal([gang.MemberInstanceIds[0], gang.MemberInstanceIds[1]], members.Select(m => m.Str("instanceId")));
        Assert.Equal(["terminated", "interrupted"], members.Select(m => m.Str("end")));
        Assert.Contains($"gang member 2 of 2 ({gang.MemberInstanceIds[1]}) was interrupted", members[0].Str("endReason"), StringComparison.Ordinal);
        Assert.Contains("Reclaimed by aws", members[1].Str("endReason"), StringComparison.Ordinal);
        var preempted = shown["timeline"]!.AsArray().First(e => e!.Str("kind") == "preempted")!.Str("message");
        Assert.Contains($"Gang member 2 of 2 ({gang.MemberInstanceIds[1]}) was reclaimed by aws", preempted, StringComparison.Ordinal);
        Assert.Contains($"Broker terminates the other member 1 of 2 ({gang.MemberInstanceIds[0]})", preempted, StringComparison.Ordinal);
        await CancelAsync(client, job);
    }

    [Fact]
    public async Task Two_replicas_taking_two_members_notices_at_once_record_one_reclaimed_member_and_bill_the_other()
    {
        using var client = await ClientAsync();
        var (job, gang) = await RunningGangAsync(client, "waiver-race");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 2).Select(member => app.WithScopeAsync(s =>
            s.GetRequiredService<AllocationWorker>().HandleEventAsync(new InstanceEvent(gang.Id, InstanceEventKind.InterruptionNotice, 2, null,
                Member: member), CallbackPurpose.CloudInstance, default))));

        var accepted = Assert.Single(Enumerable.Range(0, 2), m => outcomes[m].Result == InstanceEventResult.Accepted);
        Assert.Equal(InstanceEventResult.Conflict, outcomes[1 - accepted].Result);
        var ended = await ClosedAsync(gang.Id);
        Assert.Equal([accepted], ended.ReclaimedMembers);
        var entries = await PricedAsync(gang.Id);
        AssertWaived(entries, gang.MemberInstanceIds![accepted]);
        AssertBilledForItsLifetime(entries, gang.MemberInstanceIds[1 - accepted], ended);
        await CancelAsync(client, job);
    }

    [Fact]
    public async Task A_member_that_vanishes_without_a_notice_is_the_reclaimed_one_however_often_the_reconciler_runs()
    {
        using var client = await ClientAsync();
        var (job, gang) = await RunningGangAsync(client, "waiver-vanish");

        // The cloud takes the first member and no notice arrives: the reconciler finds it missing from the listing.
        await Cloud.TerminateAsync(gang.Region!, gang.Zone, gang.MemberInstanceIds![0], default);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await Task.WhenAll(ReconcileAsync(), ReconcileAsync());
        await ReconcileAsync();
        var ended = await ClosedAsync(gang.Id);

        Assert.Equal(AllocationEnd.Interrupted, ended.End);
        Assert.Equal([0], ended.ReclaimedMembers);
        Assert.Contains($"Gang member 1 of 2 ({gang.MemberInstanceIds[0]}) vanished", ended.EndReason, StringComparison.Ordinal);
        var entries = await PricedAsync(gang.Id);
        AssertWaived(entries, gang.MemberInstanceIds[0]);
        AssertBilledForItsLifetime(entries, gang.MemberInstanceIds[1], ended);
        await CancelAsync(client, job);
    }

    private SimulatedCloud Cloud => app.Services.GetRequiredService<SimulatedClouds>()["aws"];

    private async Task<HttpClient> ClientAsync()
    {
        using (var ops = app.ClientWithKey(await app.CreateKeyAsync("ops")))
        {
            await PolicyApi.ReplaceAsync(ops, Team, """{"allowedProviders":["aws"]}""");
        }
        return app.ClientWithKey(await app.CreateKeyAsync("submitter", Team));
    }

    /// <summary>Submits a 16-GPU spot job and steps until it runs as a spot gang of 2 on aws.</summary>
    private async Task<(string Job, Allocation Gang)> RunningGangAsync(HttpClient client, string name)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = 16, ["models"] = new JsonArray("H100-80GB") };
        body["spot"] = new JsonObject { ["allowed"] = true, ["checkpointIntervalMinutes"] = 10 };
        body["estimatedDurationMinutes"] = 600;
        body.Remove("maxPricePerGpuHour");
        var job = (await JobApi.SubmitAsync(client, body)).Id();
        await app.StepUntilAsync(async () => (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job}"))!.Str("state") == "running", "the gang to run");
        await using var db = app.NewDbContext();
        var gang = await db.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(job) && a.State == AllocationState.Running);
        Assert.Equal(("aws", CapacityType.Spot, 2, 2), (gang.Provider, gang.Market, gang.InstanceCount, gang.MemberInstanceIds!.Count));
        return (job, gang);
    }

    private async Task<Allocation> SegmentAsync(Guid id)
    {
        await using var db = app.NewDbContext();
        return await db.Allocations.AsNoTracking().SingleAsync(a => a.Id == id);
    }

    private async Task<Allocation> ClosedAsync(Guid id)
    {
        await app.StepUntilAsync(async () => (await SegmentAsync(id)).State == AllocationState.Closed, "the gang's release");
        return await SegmentAsync(id);
    }

    private async Task<List<CostEntry>> PricedAsync(Guid id)
    {
        await app.StepUntilAsync(async () =>
        {
            await app.WithScopeAsync(s => s.GetRequiredService<CostRecorder>().RecordAsync(id, default));
            await using var db = app.NewDbContext();
            return await db.CostRecordings.AnyAsync(r => r.AllocationId == id);
        }, "the gang's ledger entries");
        return await EntriesAsync(id);
    }

    private async Task<List<CostEntry>> EntriesAsync(Guid id)
    {
        await using var db = app.NewDbContext();
        return await db.CostEntries.AsNoTracking().Where(e => e.AllocationId == id && e.Kind == CostEntryKind.Usage).OrderBy(e => e.Part).ToListAsync();
    }

    private Task<Reconciler.Result> ReconcileAsync() => app.WithScopeAsync(s => s.GetRequiredService<Reconciler>().RunAsync(default));

    private static IEnumerable<(string?, decimal, decimal)> Summary(IEnumerable<CostEntry> entries) =>
        entries.Select(e => (e.InstanceId, e.BilledSeconds, e.Cost)).ToList();

    private static void AssertWaived(List<CostEntry> entries, string instance)
    {
        var own = entries.Where(e => e.InstanceId == instance).ToList();
        Assert.NotEmpty(own);
        Assert.Equal((0m, 0m), (own.Sum(e => e.BilledSeconds), own.Sum(e => e.Cost)));
        Assert.True(own.Sum(e => e.OnDemandCost) > 0, "the waived member still carries its on-demand counterfactual");
    }

    /// <summary>EC2's rule for an instance it did not reclaim: per second, a started second whole, at least 60 s, at its price.</summary>
    private static void AssertBilledForItsLifetime(List<CostEntry> entries, string instance, Allocation gang)
    {
        var own = entries.Where(e => e.InstanceId == instance).ToList();
        var lived = (gang.EndedAt!.Value - gang.StartedAt!.Value).TotalSeconds;
        Assert.True(lived is > 0 and < 3600, $"the gang lived {lived} s, inside the waiver's first hour");
        Assert.Equal(Math.Max(60m, Math.Ceiling((decimal)lived)), own.Sum(e => e.BilledSeconds));
        Assert.Equal(own.Sum(e => Math.Round(e.BilledSeconds * e.PricePerHour / 3600m, 6, MidpointRounding.ToEven)), own.Sum(e => e.Cost));
        Assert.True(own.Sum(e => e.Cost) > 0);
        Assert.All(own, e => Assert.Equal(8, e.GpuCount));
    }

    private async Task CancelAsync(HttpClient client, string job)
    {
        (await client.PostAsync($"/v1/jobs/{job}/cancel", null)).Dispose();
        var id = Guid.Parse(job);
        await app.StepUntilAsync(async () =>
        {
            await using var db = app.NewDbContext();
            return await db.Allocations.AsNoTracking().Where(a => a.JobId == id).AllAsync(a => a.State == AllocationState.Closed);
        }, "the cancelled job's segments to close");
        await Invariants.AssertNothingLeftAsync(app);
    }
}
