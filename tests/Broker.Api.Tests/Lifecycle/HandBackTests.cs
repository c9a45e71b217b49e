using Broker.Api.Tests.Faults;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>The stepped lifecycle app with the product's kind of hand-back interval (a minute, not every step).</summary>
public sealed class HandBackApp : LifecycleApp
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Lifecycle:RequeueRequestedAfter"] = Interval.ToString(),
    };
}

/// <summary>
/// An intent row left Requested (its provisioning run lost, or still queued behind a backlog) is handed back to
/// provisioning at most once per interval, however many reconciler rounds run, on however many replicas.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class HandBackTests(HandBackApp app) : IClassFixture<HandBackApp>
{
    [Fact]
    public async Task A_requested_allocation_is_handed_back_once_per_interval_across_concurrent_and_repeated_rounds()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "handback"));
        await JobApi.SubmitAsync(client, FaultJobs.Body("handback", ["A10G"], ["sleep", "60"], minutes: 60));
        await app.WithScopeAsync(s => s.GetRequiredService<InventorySync>().RunAsync(default));
        var allocationId = (await app.WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default))).Single();

        // Younger than the interval: not lost yet.
        Assert.DoesNotContain(allocationId, (await ReconcileAsync()).ToProvision);

        await AgeAsync("created_at", allocationId, HandBackApp.Interval * 2);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ReconcileAsync()));
        var later = await ReconcileAsync();
        Assert.Equal(1, concurrent.Append(later).Sum(r => r.ToProvision.Count(id => id == allocationId)));
        var handedBack = await RowAsync(allocationId);
        Assert.Equal(AllocationState.Requested, handedBack.State);
        Assert.NotNull(handedBack.HandedBackAt);

        // One interval after that hand-back, still Requested: handed back once more.
        await AgeAsync("handed_back_at", allocationId, HandBackApp.Interval * 2);
        var next = await Task.WhenAll(ReconcileAsync(), ReconcileAsync());
        Assert.Equal(1, next.Sum(r => r.ToProvision.Count(id => id == allocationId)));

        // Once provisioned it is never handed back again.
        await app.WithScopeAsync(async s => { await s.GetRequiredService<AllocationWorker>().ProvisionAsync(allocationId, default); return 0; });
        await AgeAsync("handed_back_at", allocationId, HandBackApp.Interval * 2);
        Assert.DoesNotContain(allocationId, (await ReconcileAsync()).ToProvision);
        Assert.NotEqual(AllocationState.Requested, (await RowAsync(allocationId)).State);
    }

    private Task<Reconciler.Result> ReconcileAsync() => app.WithScopeAsync(s => s.GetRequiredService<Reconciler>().RunAsync(default));

    /// <summary>Moves the row's creation, or its last hand-back, <paramref name="by"/> into the past.</summary>
    private async Task AgeAsync(string column, Guid allocationId, TimeSpan by)
    {
        await using var db = app.NewDbContext();
        await (column == "created_at"
            ? db.Database.ExecuteSqlAsync($"UPDATE allocations SET created_at = created_at - {by} WHERE id = {allocationId}")
            : db.Database.ExecuteSqlAsync($"UPDATE allocations SET handed_back_at = now() - {by} WHERE id = {allocationId}"));
    }

    private async Task<Allocation> RowAsync(Guid allocationId)
    {
        await using var db = app.NewDbContext();
        return await db.Allocations.AsNoTracking().SingleAsync(a => a.Id == allocationId);
    }
}
