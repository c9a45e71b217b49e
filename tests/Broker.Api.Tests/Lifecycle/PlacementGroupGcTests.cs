using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Broker.Providers.Simulated;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>
/// The reconciler's placement-group sweep (ADR 0012) on the simulated clouds, the real lifecycle and PostgreSQL: a cloud
/// gang's group goes once the gang is closed and no member is left, never while the gang lives, survives a delete refused
/// as in use, and is deleted once when two replicas sweep at the same time.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class PlacementGroupGcTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private const string Team = "pgroups";

    private static JsonObject Body(string name, int minutes)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = 16, ["models"] = new JsonArray("H100-80GB") };
        body["spot"] = new JsonObject { ["allowed"] = false };
        body["estimatedDurationMinutes"] = minutes;
        body.Remove("maxPricePerGpuHour");
        return body;
    }

    private SimulatedCloud Cloud(string provider) => app.Services.GetRequiredService<SimulatedClouds>()[provider];

    private Task<Reconciler.Result> ReconcileAsync() => app.WithScopeAsync(s => s.GetRequiredService<Reconciler>().RunAsync(default));

    private async Task<Allocation> RowAsync(Guid id)
    {
        await using var db = app.NewDbContext();
        return await db.Allocations.AsNoTracking().SingleAsync(a => a.Id == id);
    }

    /// <summary>Submits gang jobs and places them in one pass; the allocations by job id.</summary>
    private async Task<Dictionary<string, Allocation>> PlaceAsync(HttpClient client, params string[] names)
    {
        var jobs = new List<string>();
        foreach (var name in names)
        {
            jobs.Add((await JobApi.SubmitAsync(client, Body(name, 240))).Id());
        }
        var placed = await app.WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default));
        var rows = new Dictionary<string, Allocation>();
        foreach (var id in placed)
        {
            var row = await RowAsync(id);
            rows[row.JobId.ToString()] = row;
        }
        Assert.All(jobs, j => Assert.True(rows[j].IsCloudGang, $"job {j} was placed as a cloud gang"));
        return jobs.ToDictionary(j => j, j => rows[j]);
    }

    private Task ProvisionAsync(Guid allocation) =>
        app.WithScopeAsync(async s => { await s.GetRequiredService<AllocationWorker>().ProvisionAsync(allocation, default); return 0; });

    /// <summary>Cancels the job and releases its segment at once (every member terminated, the row closed).</summary>
    private async Task CancelAndReleaseAsync(HttpClient client, Allocation gang)
    {
        (await client.PostAsync($"/v1/jobs/{gang.JobId}/cancel", null)).EnsureSuccessStatusCode();
        await app.WithScopeAsync(async s => { await s.GetRequiredService<AllocationWorker>().ReleaseAsync(gang.Id, default); return 0; });
        Assert.Equal(AllocationState.Closed, (await RowAsync(gang.Id)).State);
    }

    private bool Exists(Allocation gang) => Cloud(gang.Provider).PlacementGroups.Contains(CloudGang.PlacementGroupName(gang.Id));

    [Fact]
    public async Task A_gang_that_ran_and_closed_leaves_no_placement_group_after_the_next_rounds()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", Team));
        var job = await JobApi.SubmitAsync(client, Body("pgroups-ran", 30));
        await app.StepUntilAsync(async () => (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{job.Id()}"))!.Str("state") == "succeeded",
            "the cloud gang to finish");
        await using (var db = app.NewDbContext())
        {
            await app.StepUntilAsync(async () => await db.Allocations.AsNoTracking().Where(a => a.JobId == Guid.Parse(job.Id()))
                .AllAsync(a => a.State == AllocationState.Closed), "the gang's release");
        }
        await using var read = app.NewDbContext();
        var gang = await read.Allocations.AsNoTracking().SingleAsync(a => a.JobId == Guid.Parse(job.Id()));
        var group = CloudGang.PlacementGroupName(gang.Id);
        Assert.All(gang.MemberInstanceIds!, id => Assert.Equal(group, Cloud(gang.Provider).PlacementGroupOf(id)));

        for (var round = 0; round < 3 && Exists(gang); round++)
        {
            await ReconcileAsync();
        }

        Assert.False(Exists(gang), $"{group} outlived its gang");
        Assert.DoesNotContain(await Cloud(gang.Provider).ListPlacementGroupsAsync(default), g => g.AllocationId == gang.Id);
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task A_live_gangs_group_is_kept_while_a_closed_gangs_group_goes_and_it_goes_too_once_that_gang_closes()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", Team));
        var gangs = (await PlaceAsync(client, "pgroups-live", "pgroups-closed")).Values.OrderBy(a => a.CreatedAt).ToList();
        var (live, closed) = (gangs[0], gangs[1]);
        await ProvisionAsync(live.Id);
        await ProvisionAsync(closed.Id);
        await CancelAndReleaseAsync(client, closed);

        var first = await ReconcileAsync();
        Assert.Equal(1, first.PlacementGroupsDeleted);
        Assert.False(Exists(closed), "the closed gang's group is deleted in the first round");
        Assert.True(Exists(live), "the live gang's group is kept");

        // The live gang ends: a round releases it (its members terminated), and a round whose listing no longer shows them deletes the group.
        var cloud = Cloud(live.Provider);
        var row = await RowAsync(live.Id);
        Assert.Equal(2, row.MemberInstanceIds!.Count);
        (await client.PostAsync($"/v1/jobs/{live.JobId}/cancel", null)).EnsureSuccessStatusCode();
        Assert.True(Exists(live), "cancelling alone does not touch the group");
        var rounds = new List<Reconciler.Result>();
        for (var round = 0; round < 4 && Exists(live); round++)
        {
            rounds.Add(await ReconcileAsync());
        }
        Assert.False(Exists(live), "the group goes once its gang is closed and its members are gone");
        Assert.Equal(1, rounds.Sum(r => r.PlacementGroupsDeleted));
        Assert.All(cloud.InstancesOf(live.Id), i => Assert.Equal(InstanceState.Terminated, i.State));
        Assert.Equal(AllocationState.Closed, (await RowAsync(live.Id)).State);
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task A_group_still_in_use_is_left_for_the_next_round_and_deleted_once_its_member_is_gone()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", Team));
        var gang = (await PlaceAsync(client, "pgroups-in-use")).Values.Single();
        var cloud = Cloud(gang.Provider);
        // A provisioning run that read the row before the job was cancelled creates member 1 after the release; the
        // listing does not show it yet (EC2's DescribeInstances is eventually consistent), so the sweep does try to delete.
        var request = new InstanceRequest(gang.Id, gang.JobId, gang.Region!, gang.Zone, gang.InstanceType!, gang.Market, null, "#!/bin/bash\n",
            Member: 0, Members: 2, PlacementGroup: CloudGang.PlacementGroupName(gang.Id));
        await cloud.CreateAsync(request, default);
        await CancelAndReleaseAsync(client, gang);
        var late = await cloud.CreateAsync(request with { Member = 1 }, default);
        var hidden = new HashSet<string> { late.InstanceId };

        var refused = await app.WithScopeAsync(s => LaggingReconciler(s, hidden).RunAsync(default));
        Assert.Equal(0, refused.PlacementGroupsDeleted);
        Assert.True(Exists(gang), "a group the cloud refuses to delete stays for the next round");

        hidden.Clear();
        var collecting = await ReconcileAsync();
        Assert.True(collecting.OrphansTerminated >= 1, "the late member is an orphan");
        Assert.Equal(InstanceState.Terminated, cloud.InstancesOf(gang.Id).Single(i => i.InstanceId == late.InstanceId).State);
        var rounds = new List<Reconciler.Result> { collecting };
        for (var round = 0; round < 3 && Exists(gang); round++)
        {
            rounds.Add(await ReconcileAsync());
        }
        Assert.False(Exists(gang), "deleted once no member is left");
        Assert.Equal(1, rounds.Sum(r => r.PlacementGroupsDeleted));
        await Invariants.AssertNothingLeftAsync(app);
    }

    [Fact]
    public async Task Two_concurrent_rounds_delete_a_closed_gangs_group_once_without_error()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", Team));
        var gang = (await PlaceAsync(client, "pgroups-race")).Values.Single();
        await ProvisionAsync(gang.Id);
        await CancelAndReleaseAsync(client, gang);
        Assert.True(Exists(gang));

        var racing = await Task.WhenAll(ReconcileAsync(), ReconcileAsync());
        var again = await ReconcileAsync();

        Assert.Equal(1, racing.Sum(r => r.PlacementGroupsDeleted));
        Assert.Equal(0, again.PlacementGroupsDeleted);
        Assert.False(Exists(gang));
        await Invariants.AssertNothingLeftAsync(app);
    }

    /// <summary>A reconciler whose listing of every provider leaves out the given instances, as a lagging listing would.</summary>
    private static Reconciler LaggingReconciler(IServiceProvider services, IReadOnlySet<string> hidden)
    {
        var clouds = services.GetRequiredService<ComputeProviders>();
        var lagging = new ComputeProviders(clouds.Names.Select(n => (IComputeProvider)new LaggingListing(clouds.Get(n), hidden)), clouds.Kind);
        return ActivatorUtilities.CreateInstance<Reconciler>(services, lagging);
    }

    private sealed class LaggingListing(IComputeProvider inner, IReadOnlySet<string> hidden) : IComputeProvider
    {
        public string Name => inner.Name;

        public bool Launches(string region, string? zone) => inner.Launches(region, zone);

        public Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken) =>
            inner.CreateAsync(request, cancellationToken);

        public Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken) =>
            inner.TerminateAsync(region, zone, instanceId, cancellationToken);

        public async Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken) =>
            (await inner.ListManagedAsync(cancellationToken)).Where(i => !hidden.Contains(i.InstanceId)).ToList();

        public Task<IReadOnlyList<ProviderPlacementGroup>> ListPlacementGroupsAsync(CancellationToken cancellationToken) =>
            inner.ListPlacementGroupsAsync(cancellationToken);

        public Task<bool> DeletePlacementGroupAsync(string region, string name, CancellationToken cancellationToken) =>
            inner.DeletePlacementGroupAsync(region, name, cancellationToken);
    }
}
