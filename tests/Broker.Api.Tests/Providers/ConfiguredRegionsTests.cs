using Broker.Core.Capacity;
using Broker.Core.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Providers;

/// <summary>
/// Placement offers only what each enabled adapter may launch (and later list for garbage collection): a catalog that
/// lists every region of a cloud no longer sends jobs where the adapter refuses them with RegionNotConfigured (found by
/// the chaos soak: 20 jobs failed that way).
/// </summary>
public sealed class ConfiguredRegionsTests(RealProvidersApp app) : IClassFixture<RealProvidersApp>
{
    [Fact]
    public async Task The_placement_snapshot_holds_offers_only_in_the_regions_and_zones_the_adapters_are_configured_for()
    {
        var marker = $"x{Guid.NewGuid():N}"[..12];
        (string Provider, string Region, string? Zone)[] listed =
        [
            ("aws", "us-east-1", "us-east-1a"), ("aws", "ap-southeast-3", "ap-southeast-3a"), ("aws", "af-south-1", null),
            ("azure", "eastus", null), ("azure", "westeurope", null),
            ("gcp", "us-central1", "us-central1-a"),
        ];
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Broker.Core.Persistence.BrokerDbContext>();
            foreach (var (provider, region, zone) in listed)
            {
                db.Offers.Add(new Offer
                {
                    Provider = provider, Region = region, Zone = zone, InstanceType = marker, GpuModel = "L4", GpuCount = 1,
                    VCpus = 8, MemoryGb = 32, OnDemandPerHour = 1m, Available = true, PricesAsOf = new DateOnly(2026, 12, 1),
                    UpdatedAt = DateTimeOffset.UtcNow,
                });
            }
            await db.SaveChangesAsync();
        }

        await using var read = app.Services.CreateAsyncScope();
        var snapshot = await read.ServiceProvider.GetRequiredService<PlacementSnapshotBuilder>().BuildAsync(TimeProvider.System, default);

        var offered = snapshot.Offers.Where(o => o.InstanceType == marker).Select(o => $"{o.Provider}/{o.Region}").Order().ToList();
        // aws: Providers:Aws:Regions = [us-east-1]; azure: Regions = [eastus]; gcp: no zones configured, so nowhere.
        Assert.Equal(["aws/us-east-1", "azure/eastus"], offered);
    }
}
