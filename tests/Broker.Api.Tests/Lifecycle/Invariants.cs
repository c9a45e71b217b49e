using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>What must hold after any sequence of steps and faults.</summary>
public static class Invariants
{
    public static async Task CheckAsync(LifecycleApp app)
    {
        await using var db = app.NewDbContext();
        var live = await db.Allocations.AsNoTracking().Where(a => a.State != AllocationState.Closed).ToListAsync();
        // A segment ended by a move back on-prem may still be releasing while the job's next segment runs (ADR 0009, amendment).
        Assert.All(live.Where(a => a.End != AllocationEnd.Migrated).GroupBy(a => a.JobId), g => Assert.Single(g));
        var nodes = await db.OnPremNodes.AsNoTracking().ToDictionaryAsync(n => n.Name);
        // A gang holds its share on every member node; MIG slices and shared GPUs are not whole GPUs.
        var fractional = await db.Jobs.AsNoTracking().Where(j => j.Gpu.Share != null || j.Gpu.MigProfile != null).Select(j => j.Id).ToListAsync();
        foreach (var node in live.Where(a => a.IsOnPrem && a.State != AllocationState.Releasing && !fractional.Contains(a.JobId))
            .SelectMany(a => a.Nodes.Select(n => (Node: n, Gpus: a.GpusOn(n)))).GroupBy(x => x.Node))
        {
            Assert.True(node.Sum(x => x.Gpus) <= nodes[node.Key].GpuTotal, $"node {node.Key} has more GPUs allocated than it holds");
        }
        var instances = await app.WithScopeAsync(async s =>
        {
            var clouds = s.GetRequiredService<ComputeProviders>();
            var all = new List<ProviderInstance>();
            foreach (var name in clouds.Names)
            {
                all.AddRange(await clouds.Get(name).ListManagedAsync(default));
            }
            return all;
        });
        var liveIds = live.Select(a => a.Id).ToHashSet();
        Assert.All(instances, i => Assert.True(i.AllocationId is { } id && liveIds.Contains(id), $"instance {i.InstanceId} has no live allocation"));
        // One instance per allocation; a cloud gang (ADR 0012) has at most its member count, never two for one member.
        var members = live.ToDictionary(a => a.Id, a => a.IsCloudGang ? a.InstanceCount!.Value : 1);
        Assert.All(instances.GroupBy(i => i.AllocationId), g => Assert.InRange(g.Count(), 1, members[g.Key!.Value]));
        var terminalWithLive = await db.Jobs.AsNoTracking()
            .Where(j => (j.State == JobState.Succeeded || j.State == JobState.Failed || j.State == JobState.Cancelled)
                && db.Allocations.Any(a => a.JobId == j.Id && a.State != AllocationState.Closed && a.State != AllocationState.Releasing))
            .CountAsync();
        Assert.Equal(0, terminalWithLive);
    }

    public static async Task AssertNothingLeftAsync(LifecycleApp app)
    {
        await CheckAsync(app);
        await using var db = app.NewDbContext();
        Assert.Equal(0, await db.Allocations.CountAsync(a => a.State != AllocationState.Closed));
    }
}
