using System.Collections.Concurrent;
using Broker.Api.Tests.Costs;
using Broker.Api.Tests.Fleet;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>One cloud, <c>aws</c>, that lists what the test puts in it and refuses (throttled) to terminate the instances it names.</summary>
public sealed class OrphanSweepApp : CostsApp
{
    public ListedCloud Aws { get; } = new();

    protected override void OverrideServices(IServiceCollection services)
    {
        base.OverrideServices(services);
        services.RemoveAll<IComputeProvider>();
        services.AddSingleton<IComputeProvider>(Aws);
    }

    public sealed class ListedCloud : IComputeProvider
    {
        private readonly ConcurrentDictionary<string, ProviderInstance> instances = new();
        private readonly ConcurrentQueue<string> terminations = new();

        public string Name => "aws";

        public ConcurrentDictionary<string, bool> Refused { get; } = new();

        public int TerminationsOf(string instanceId) => terminations.Count(i => i == instanceId);

        public void Add(string instanceId, Guid? allocationId) => instances[instanceId] = new ProviderInstance("aws", instanceId, "us-east-1",
            "us-east-1a", "p5.48xlarge", CapacityType.OnDemand, InstanceState.Running, allocationId, null, DateTimeOffset.UtcNow.AddHours(-1));

        public Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken)
        {
            terminations.Enqueue(instanceId);
            if (Refused.ContainsKey(instanceId))
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
}

/// <summary>
/// The orphan sweep terminates only instances that no live allocation owns: a segment still <c>Releasing</c> owns its
/// instance (its release terminates it, and retries while the cloud refuses), so the sweep never terminates it a second time.
/// </summary>
public sealed class OrphanSweepTests(OrphanSweepApp app) : IClassFixture<OrphanSweepApp>
{
    [Fact]
    public async Task A_segment_left_releasing_keeps_its_instance_out_of_the_sweep_while_a_true_orphan_is_terminated()
    {
        var releasing = await FleetRows.AddAsync(app, "orphan-sweep", AllocationState.Releasing, market: CapacityType.OnDemand);
        app.Aws.Add(releasing.ExternalId!, releasing.Id);
        app.Aws.Refused[releasing.ExternalId!] = true;
        var orphan = $"i-orphan-{Guid.NewGuid():N}"[..19];
        app.Aws.Add(orphan, Guid.CreateVersion7());

        var round = await ReconcileAsync();

        Assert.Equal(AllocationState.Releasing, await StateAsync(releasing.Id));
        Assert.Equal(0, round.Released);
        Assert.Equal(1, round.OrphansTerminated);
        Assert.Equal(1, app.Aws.TerminationsOf(orphan));
        Assert.Equal(1, app.Aws.TerminationsOf(releasing.ExternalId!)); // the release's attempt only
    }

    [Fact]
    public async Task A_segment_released_in_the_round_has_its_instance_terminated_once()
    {
        var releasing = await FleetRows.AddAsync(app, "orphan-sweep", AllocationState.Releasing, market: CapacityType.OnDemand);
        app.Aws.Add(releasing.ExternalId!, releasing.Id);

        var round = await ReconcileAsync();

        Assert.Equal(AllocationState.Closed, await StateAsync(releasing.Id));
        Assert.Equal(1, round.Released);
        Assert.Equal(0, round.OrphansTerminated);
        Assert.Equal(1, app.Aws.TerminationsOf(releasing.ExternalId!));
    }

    [Fact]
    public async Task An_orphan_the_cloud_refuses_to_terminate_is_tried_again_next_round_without_ending_this_one()
    {
        var orphan = $"i-refused-{Guid.NewGuid():N}"[..19];
        app.Aws.Add(orphan, Guid.CreateVersion7());
        app.Aws.Refused[orphan] = true;

        var refused = await ReconcileAsync();
        app.Aws.Refused.TryRemove(orphan, out _);
        var next = await ReconcileAsync();

        Assert.Equal(0, refused.OrphansTerminated);
        Assert.Equal(1, next.OrphansTerminated);
        Assert.Equal(2, app.Aws.TerminationsOf(orphan));
    }

    private Task<Reconciler.Result> ReconcileAsync() => app.WithScopeAsync(s => s.GetRequiredService<Reconciler>().RunAsync(default));

    private async Task<AllocationState> StateAsync(Guid id)
    {
        await using var db = app.NewDbContext();
        return await db.Allocations.AsNoTracking().Where(a => a.Id == id).Select(a => a.State).SingleAsync();
    }
}
