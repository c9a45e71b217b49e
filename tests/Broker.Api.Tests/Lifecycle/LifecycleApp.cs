using Broker.Api.Tests.Infrastructure;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>
/// The API on the real PostgreSQL, driving the real local Slurm cluster and the simulated clouds (one simulated hour per
/// real second). Background work is stepped by the test instead of Hangfire's timers, so every run is repeatable.
/// </summary>
public class LifecycleApp : BrokerApp
{
    /// <summary>Teams of the lifecycle, fault and tenancy tests that run on-prem, as the unprivileged test user A.</summary>
    public static readonly IReadOnlyList<string> OnPremTeams =
        ["onprem", "burst", "cancel", "spot", "lost", "preview", "lease", "lease-ok", "lease-grace", "crash", "pg-restart", "outage", "tenant-a", "gang", "migrate", "migrate-od", "defrag"];

    /// <summary>A team whose jobs run on-prem as test user B (another tenant of the same nodes).</summary>
    public const string SecondTenant = "tenant-b";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(OnPremTeams
        .Select(team => KeyValuePair.Create($"OnPrem:Teams:{team}:User", SlurmServer.TeamUserA))
        .Append(KeyValuePair.Create($"OnPrem:Teams:{SecondTenant}:User", SlurmServer.TeamUserB)))
    {
        ["Slurm:OutputRoot"] = SlurmServer.OutputRoot,
        ["RateLimiting:PermitsPerSecond"] = "100000",
        ["RateLimiting:Burst"] = "100000",
        ["Slurm:BaseUrl"] = SlurmServer.Url,
        ["Slurm:Token"] = SlurmServer.Token,
        ["Slurm:UserName"] = SlurmServer.User,
        ["Providers:Simulated:TimeScale"] = "3600",
        ["Providers:Simulated:ProvisioningDelay"] = "00:05:00",
        ["Providers:Simulated:SpotInterruptionsPerHour"] = "0",
        ["Lifecycle:OrphanGrace"] = "00:00:00",
        ["Lifecycle:VanishGrace"] = "00:00:01",
        ["Lifecycle:RequeueRequestedAfter"] = "00:00:00",
        ["Placement:MaxWaitBeforeBurst"] = "00:00:00",
    };

    /// <summary>A job's segments (allocation rows) as the database holds them, oldest first.</summary>
    public async Task<List<Allocation>> SegmentsAsync(string jobId)
    {
        await using var db = NewDbContext();
        return await db.Allocations.AsNoTracking().Where(a => a.JobId == Guid.Parse(jobId)).OrderBy(a => a.CreatedAt).ToListAsync();
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary>One round of what Hangfire would do: sync inventory, place, provision, reconcile (and provision again what it hands back).</summary>
    public async Task StepAsync()
    {
        await WithScopeAsync(s => s.GetRequiredService<InventorySync>().RunAsync(default));
        var placed = await WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default));
        foreach (var allocation in placed)
        {
            await WithScopeAsync(async s => { await s.GetRequiredService<AllocationWorker>().ProvisionAsync(allocation, default); return 0; });
        }
        var reconciled = await WithScopeAsync(s => s.GetRequiredService<Reconciler>().RunAsync(default));
        foreach (var allocation in reconciled.ToProvision)
        {
            await WithScopeAsync(async s => { await s.GetRequiredService<AllocationWorker>().ProvisionAsync(allocation, default); return 0; });
        }
    }

    /// <summary>Steps until <paramref name="done"/> holds, with a deadline in real time.</summary>
    public async Task StepUntilAsync(Func<Task<bool>> done, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await StepAsync();
            await Task.Delay(250);
        }
    }
}
