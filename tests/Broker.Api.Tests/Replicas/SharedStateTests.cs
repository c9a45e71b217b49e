using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Broker.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Replicas;

/// <summary>A replica on a database another one created; its simulated clouds have <paramref name="capacityPerOffer"/> per offer.</summary>
public sealed class ReplicaApp(string? connectionString, int capacityPerOffer) : BrokerApp
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Providers:Simulated:CapacityPerOffer"] = capacityPerOffer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Providers:Circuit:FailuresToOpen"] = "3",
        ["Providers:Circuit:OpenFor"] = "00:00:02",
        ["Providers:Circuit:ProbeFor"] = "00:00:30",
    };

    protected override Task<string> CreateDatabaseAsync() =>
        connectionString is null ? PostgresServer.CreateDatabaseAsync("shared-state") : Task.FromResult(connectionString);
}

/// <summary>
/// Two replicas (two containers, each with its own process-wide caches) on one PostgreSQL: what one learns about a
/// provider (a capacity error, repeated 5xx) is what the other acts on at its next pass.
/// </summary>
public sealed class SharedStateTests : IAsyncLifetime
{
    private ReplicaApp first = null!;
    private ReplicaApp second = null!;

    public async Task InitializeAsync()
    {
        // The first finds no capacity anywhere; the second has plenty, so only a shared block can stop it.
        first = new ReplicaApp(null, capacityPerOffer: 0);
        await first.InitializeAsync();
        second = new ReplicaApp(first.ConnectionString, capacityPerOffer: 8);
        await second.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await second.DisposeAsync();
        await first.DisposeAsync();
    }

    private static InstanceRequest Request() =>
        new(Guid.NewGuid(), Guid.NewGuid(), "us-central1", null, "a3-highgpu-2g", CapacityType.OnDemand, null, "#!/bin/bash\necho hello\n");

    [Fact]
    public async Task A_capacity_error_seen_by_one_replica_blocks_the_offer_for_the_other_at_its_next_pass()
    {
        await using (var scope = first.Services.CreateAsyncScope())
        {
            var refused = await Assert.ThrowsAsync<ProviderException>(() =>
                scope.ServiceProvider.GetRequiredService<ComputeProviders>().Get("gcp").CreateAsync(Request(), default));
            Assert.Equal("ZONE_RESOURCE_POOL_EXHAUSTED", refused.ProviderCode);
        }

        await using var other = second.Services.CreateAsyncScope();
        var snapshot = await other.ServiceProvider.GetRequiredService<PlacementSnapshotBuilder>().BuildAsync(TimeProvider.System, default);
        var offer = Assert.Single(snapshot.Offers, o => o is { Provider: "gcp", Region: "us-central1", InstanceType: "a3-highgpu-2g" });
        var create = await Assert.ThrowsAsync<ProviderException>(() =>
            other.ServiceProvider.GetRequiredService<ComputeProviders>().Get("gcp").CreateAsync(Request(), default));

        Assert.Equal("ZONE_RESOURCE_POOL_EXHAUSTED", offer.BlockedReason);
        Assert.Null(offer.SpotBlockedReason);
        Assert.Equal("OfferBlocked", create.ProviderCode);
    }

    [Fact]
    public async Task Repeated_server_errors_open_the_circuit_for_both_replicas_then_one_probe_closes_it()
    {
        var cloud = new FailingCloud();
        IComputeProvider Guarded(ReplicaApp app) => new GuardedComputeProvider(cloud, app.Services.GetRequiredService<UnavailableOfferCache>(),
            app.Services.GetRequiredService<ProviderHealth>(), TimeProvider.System, new GuardOptions(1, TimeSpan.Zero, TimeSpan.Zero));
        var (a, b) = (Guarded(first), Guarded(second));
        var secondHealth = second.Services.GetRequiredService<ProviderHealth>();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("InternalError", (await Assert.ThrowsAsync<ProviderException>(() => a.ListManagedAsync(default))).ProviderCode);
        }
        await secondHealth.RefreshAsync(default);
        var held = await Assert.ThrowsAsync<ProviderException>(() => b.ListManagedAsync(default));
        var callsWhileOpen = cloud.Calls;

        cloud.Healthy = true;
        cloud.Delay = TimeSpan.FromMilliseconds(500);
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var probes = await Task.WhenAll(Try(a), Try(b));
        await secondHealth.RefreshAsync(default);
        var afterwards = await Try(b);

        Assert.Equal(("CircuitOpen", ProviderErrorKind.Transient), (held.ProviderCode, held.Kind));
        Assert.Equal(3, callsWhileOpen);
        Assert.Equal(1, probes.Count(ok => ok));
        Assert.True(afterwards, "the circuit stayed open after a successful probe");
        Assert.Equal(5, cloud.Calls);
        Assert.Equal(CircuitState.Closed, Assert.Single(secondHealth.Snapshot(), s => s.Provider == FailingCloud.ProviderName).Circuit);
    }

    private static async Task<bool> Try(IComputeProvider provider)
    {
        try
        {
            await provider.ListManagedAsync(default);
            return true;
        }
        catch (ProviderException e) when (e.ProviderCode == "CircuitOpen")
        {
            return false;
        }
    }

    /// <summary>A cloud that answers 500 until told it is healthy; counts the calls that reached it.</summary>
    private sealed class FailingCloud : IComputeProvider
    {
        public const string ProviderName = "flaky";
        private int calls;

        public string Name => ProviderName;

        public bool Healthy { get; set; }

        public TimeSpan Delay { get; set; }

        public int Calls => Volatile.Read(ref calls);

        public Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            await Task.Delay(Delay, cancellationToken);
            return Healthy ? [] : throw new ProviderException(ProviderName, ProviderErrorKind.Transient, BlockScope.None, "InternalError", "HTTP 500");
        }
    }
}
