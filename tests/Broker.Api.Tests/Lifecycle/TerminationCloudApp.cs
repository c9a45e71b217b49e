using System.Collections.Concurrent;
using Broker.Api.Tests.Costs;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>
/// The costs app whose only clouds are <see cref="TerminationCloud"/>s: <c>aws</c>, plus any <see cref="OtherClouds"/>,
/// driven by the reconciler's round.
/// </summary>
public abstract class TerminationCloudApp : CostsApp
{
    public TerminationCloud Aws { get; } = new("aws");

    protected virtual IEnumerable<TerminationCloud> OtherClouds => [];

    protected override void OverrideServices(IServiceCollection services)
    {
        base.OverrideServices(services);
        services.RemoveAll<IComputeProvider>();
        services.AddSingleton<IComputeProvider>(Aws);
        foreach (var cloud in OtherClouds)
        {
            services.AddSingleton<IComputeProvider>(cloud);
        }
    }

    public Task<Reconciler.Result> ReconcileAsync() => WithScopeAsync(s => s.GetRequiredService<Reconciler>().RunAsync(default));

    public async Task<IReadOnlyDictionary<Guid, AllocationState>> StatesAsync(params Guid[] ids)
    {
        await using var db = NewDbContext();
        return await db.Allocations.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.State);
    }
}

/// <summary>
/// A cloud that lists what the test puts in it and refuses (throttled) to terminate the instances it names, or every
/// instance while <see cref="Throttled"/>; it counts every termination asked of it.
/// </summary>
public sealed class TerminationCloud(string name) : IComputeProvider
{
    private readonly ConcurrentDictionary<string, ProviderInstance> instances = new();
    private readonly ConcurrentQueue<string> terminations = new();

    public string Name => name;

    public bool Throttled { get; set; }

    public ConcurrentDictionary<string, bool> Refused { get; } = new();

    public int Terminations => terminations.Count;

    public int TerminationsOf(string instanceId) => terminations.Count(i => i == instanceId);

    public void Add(string instanceId, Guid? allocationId) => instances[instanceId] = new ProviderInstance(name, instanceId, "us-east-1",
        "us-east-1a", "p5.48xlarge", CapacityType.OnDemand, InstanceState.Running, allocationId, null, DateTimeOffset.UtcNow.AddHours(-1));

    public Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken)
    {
        terminations.Enqueue(instanceId);
        if (Throttled || Refused.ContainsKey(instanceId))
        {
            throw new ProviderException(Name, ProviderErrorKind.Throttled, BlockScope.None, "RequestLimitExceeded", "Request limit exceeded.");
        }
        if (instances.TryGetValue(instanceId, out var instance))
        {
            instances[instanceId] = instance with { State = InstanceState.Terminated };
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProviderInstance>>([.. instances.Values.Where(i => i.State != InstanceState.Terminated)]);
}
