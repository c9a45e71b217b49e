using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Costs;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Costs;

/// <summary>
/// The API on its own database without Hangfire or Slurm: tests write jobs and closed allocations as the lifecycle would
/// and drive the ledger services directly, so every lifetime and price is chosen by the test.
/// </summary>
public class CostsApp : BrokerApp
{
    /// <summary>Teams whose jobs may be placed on the database's on-prem nodes (tenancy: unmapped teams get no on-prem option).</summary>
    public static readonly IReadOnlyList<string> OnPremTeams = ["broke"];

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
        .Concat(OnPremTeams.Select(t => KeyValuePair.Create($"OnPrem:Teams:{t}:User", Broker.Testing.SlurmServer.TeamUserA)))
        .ToDictionary();

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task<RecordOutcome> RecordAsync(Guid allocationId) =>
        WithScopeAsync(s => s.GetRequiredService<CostRecorder>().RecordAsync(allocationId, default));

    public Task<Job> SubmitAsync(string team, string[]? models = null, IReadOnlyDictionary<string, string>? labels = null) =>
        WithScopeAsync(async s => (await s.GetRequiredService<JobService>().SubmitAsync(team, new JobSubmission(
            "costed", 1, models ?? ["H100-80GB"], null, 4, 16, "ghcr.io/acme/train:1", ["python", "train.py"], TimeSpan.FromHours(1), null,
            0, true, null, null, labels ?? new Dictionary<string, string> { ["project"] = "p1", ["costCentre"] = "cc-7" }), null, default)).Job);

    /// <summary>A closed allocation of <paramref name="job"/> as the lifecycle leaves it (null start: it never ran).</summary>
    public async Task<Allocation> AddClosedAsync(Job job, CapacityType market, string provider, decimal pricePerHour, int gpus,
        DateTimeOffset? started, DateTimeOffset ended, AllocationEnd end = AllocationEnd.Completed, string? instanceType = null,
        string? region = null, string? zone = null, string gpuModel = "H100-80GB", DateTimeOffset? created = null)
    {
        var allocation = new Allocation
        {
            Id = Guid.CreateVersion7(), JobId = job.Id, Market = market, Provider = provider, Region = region, Zone = zone,
            InstanceType = instanceType, Node = market == CapacityType.OnPrem ? "gpu-h100-1" : null, GpuModel = gpuModel, Gpus = gpus,
            PricePerHour = pricePerHour, State = AllocationState.Closed, End = end, CreatedAt = created ?? (started ?? ended).AddMinutes(-2),
            StartedAt = started, EndedAt = ended,
        };
        await using var db = NewDbContext();
        db.Allocations.Add(allocation);
        await db.SaveChangesAsync();
        return allocation;
    }

    public async Task<List<CostEntry>> EntriesAsync(Guid allocationId)
    {
        await using var db = NewDbContext();
        return await db.CostEntries.AsNoTracking().Where(e => e.AllocationId == allocationId).OrderBy(e => e.Part).ToListAsync();
    }
}
