using Broker.Api.Tests.Costs;
using Broker.Api.Tests.Fleet;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>Two clouds that answer listings with nothing: <c>aws</c> refuses to terminate (throttled) until told otherwise.</summary>
public sealed class ReleaseFailureApp : CostsApp
{
    public ThrottledTerminations Aws { get; } = new("aws");

    protected override void OverrideServices(IServiceCollection services)
    {
        base.OverrideServices(services);
        services.RemoveAll<IComputeProvider>();
        services.AddSingleton<IComputeProvider>(Aws);
        services.AddSingleton<IComputeProvider>(new ThrottledTerminations("azure") { Throttled = false });
    }

    public sealed class ThrottledTerminations(string name) : IComputeProvider
    {
        private int terminations;

        public string Name => name;

        public bool Throttled { get; set; } = true;

        public int Terminations => Volatile.Read(ref terminations);

        public Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref terminations);
            return Throttled
                ? throw new ProviderException(name, ProviderErrorKind.Throttled, BlockScope.None, "RequestLimitExceeded", "Request limit exceeded.")
                : Task.CompletedTask;
        }

        public Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ProviderInstance>>([]);
    }
}

public sealed class ReleaseFailureTests(ReleaseFailureApp app) : IClassFixture<ReleaseFailureApp>
{
    [Fact]
    public async Task A_cloud_that_refuses_to_terminate_leaves_its_segment_releasing_without_stopping_the_round_for_the_others()
    {
        var throttled = await FleetRows.AddAsync(app, "release-fail", AllocationState.Releasing, provider: "aws", market: CapacityType.OnDemand);
        var fine = await FleetRows.AddAsync(app, "release-fail", AllocationState.Releasing, provider: "azure", region: "eastus",
            market: CapacityType.OnDemand);

        var first = await ReconcileAsync();
        var afterFirst = await StatesAsync(throttled.Id, fine.Id);
        app.Aws.Throttled = false;
        var second = await ReconcileAsync();
        var afterSecond = await StatesAsync(throttled.Id, fine.Id);

        Assert.Equal((AllocationState.Releasing, AllocationState.Closed), afterFirst);
        Assert.Equal(1, first.Released);
        Assert.Equal((AllocationState.Closed, AllocationState.Closed), afterSecond);
        Assert.Equal(1, second.Released);
        Assert.True(app.Aws.Terminations >= 2, $"aws saw {app.Aws.Terminations} terminations");
    }

    private Task<Reconciler.Result> ReconcileAsync() => app.WithScopeAsync(s => s.GetRequiredService<Reconciler>().RunAsync(default));

    private async Task<(AllocationState, AllocationState)> StatesAsync(Guid a, Guid b)
    {
        await using var db = app.NewDbContext();
        var states = await db.Allocations.AsNoTracking().Where(x => x.Id == a || x.Id == b).ToDictionaryAsync(x => x.Id, x => x.State);
        return (states[a], states[b]);
    }
}
