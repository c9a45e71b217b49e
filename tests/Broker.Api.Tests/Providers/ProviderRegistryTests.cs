using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Simulated;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Providers;

public sealed class ProviderRegistryTests(SimulatedProvidersApp app) : IClassFixture<SimulatedProvidersApp>
{
    [Fact]
    public async Task With_no_provider_enabled_the_registry_resolves_aws_azure_gcp_to_guarded_simulated_clouds()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<ComputeProviders>();

        var instance = await registry.Get("aws").CreateAsync(Request("us-east-1", "p5.48xlarge", CapacityType.OnDemand), CancellationToken.None);

        Assert.Equal(ComputeProviderKind.Simulated, registry.Kind);
        Assert.Equal(["aws", "azure", "gcp"], registry.Names);
        Assert.All(registry.Names, name => Assert.Equal(name, Assert.IsType<GuardedComputeProvider>(registry.Get(name)).Name));
        var simulatedAws = await app.Services.GetRequiredService<SimulatedClouds>()["aws"].ListManagedAsync(CancellationToken.None);
        Assert.Contains(simulatedAws, i => i.InstanceId == instance.InstanceId);
        Assert.False(registry.TryGet("ibm", out _));
    }

    [Fact]
    public async Task A_capacity_error_through_the_registry_blocks_the_offer_until_the_ttl_passes()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var gcp = scope.ServiceProvider.GetRequiredService<ComputeProviders>().Get("gcp");
        var request = Request("us-central1", "a3-highgpu-2g", CapacityType.Spot);
        await gcp.CreateAsync(request, CancellationToken.None);

        var full = await Assert.ThrowsAsync<ProviderException>(() => gcp.CreateAsync(request with { AllocationId = Guid.NewGuid() }, CancellationToken.None));
        var refused = await Assert.ThrowsAsync<ProviderException>(() => gcp.CreateAsync(request with { AllocationId = Guid.NewGuid() }, CancellationToken.None));

        Assert.Equal("ZONE_RESOURCE_POOL_EXHAUSTED", full.ProviderCode);
        Assert.Equal("OfferBlocked", refused.ProviderCode);
        var block = app.Services.GetRequiredService<UnavailableOfferCache>().Find(new OfferKey("gcp", "us-central1", null, "a3-highgpu-2g", CapacityType.Spot));
        Assert.Equal((BlockScope.Offering, "ZONE_RESOURCE_POOL_EXHAUSTED"), (block?.Scope, block?.Reason));
    }

    internal static InstanceRequest Request(string region, string instanceType, CapacityType market) =>
        new(Guid.NewGuid(), Guid.NewGuid(), region, null, instanceType, market, null, "#!/bin/bash\necho hello\n");
}
