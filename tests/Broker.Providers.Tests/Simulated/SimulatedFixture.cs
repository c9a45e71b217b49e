using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;
using Broker.Core.Provisioning;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation;
using Broker.Providers.Simulated;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Providers.Tests.Simulated;

/// <summary>A small catalog, a fake clock and a cloud built over them.</summary>
internal sealed class SimulatedFixture : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    public static readonly CatalogOffer[] Catalog =
    [
        Offer("aws", "us-east-1", "p3.2xlarge", "V100-16GB", 1, 3.06m, 0.92m),
        Offer("aws", "us-east-1", "p5.48xlarge", "H100-80GB", 8, 55.04m, 18m),
        Offer("azure", "eastus", "Standard_NC40ads_H100_v5", "H100-80GB", 1, 6.98m, null),
        Offer("azure", "eastus", "Standard_NC6s_v3", "V100-16GB", 1, 3.06m, 0.3978m),
        Offer("gcp", "us-central1", "a3-highgpu-1g", "H100-80GB", 1, 11m, 2.25m),
    ];

    public SimulatedFixture(string provider = "aws", SimulatedCloudOptions? options = null, SpotAvailabilityTrace? trace = null,
        int seed = 7, IEnumerable<CatalogOffer>? catalog = null)
    {
        Options = options ?? new SimulatedCloudOptions { ProvisioningDelay = TimeSpan.FromMinutes(2), CapacityPerOffer = 2 };
        Cloud = new SimulatedCloud(provider, catalog ?? Catalog, Options, Clock, Events, new StartupScriptWorkload(Options.DefaultJobDuration),
            new Random(seed), trace);
    }

    public FakeTimeProvider Clock { get; } = new(Start);
    public SimulatedInstanceEvents Events { get; } = new();
    public SimulatedCloudOptions Options { get; }
    public SimulatedCloud Cloud { get; }

    public static CatalogOffer Offer(string provider, string region, string type, string model, int gpus, decimal onDemand,
        decimal? spot) =>
        new(provider, region, null, type, model, gpus, 80, 8, 61, onDemand, spot, 1e-4, 1e-4, true, new DateOnly(2025, 11, 30));

    public static InstanceRequest Request(string region = "us-east-1", string type = "p3.2xlarge",
        CapacityType market = CapacityType.OnDemand, TimeSpan? runFor = null, int exitCode = 0, Guid? allocation = null,
        decimal? maxPrice = null) =>
        new(allocation ?? Guid.NewGuid(), Guid.NewGuid(), region, null, type, market, maxPrice,
            $"#!/bin/bash\nexport {StartupScriptWorkload.DurationVariable}={(runFor ?? TimeSpan.FromHours(1)).TotalSeconds}\n" +
            $"export {StartupScriptWorkload.ExitCodeVariable}={exitCode}\n");

    public Task<ProviderInstance> Create(InstanceRequest request) => Cloud.CreateAsync(request, CancellationToken.None);

    public async Task<ProviderInstance?> Find(string instanceId) =>
        (await Cloud.ListManagedAsync(CancellationToken.None)).SingleOrDefault(i => i.InstanceId == instanceId);

    public void Dispose() => Cloud.Dispose();
}
