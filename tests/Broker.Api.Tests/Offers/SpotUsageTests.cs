using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;
using Broker.Core.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Offers;

public sealed class SpotUsageTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    private static readonly InterruptionEstimator Estimator = new();

    [Fact]
    public async Task Recorded_spot_usage_moves_the_estimate_from_the_prior_towards_what_was_observed()
    {
        var key = new OfferKey("aws", "us-east-1", null, "p4d.24xlarge", CapacityType.Spot);
        var prior = (await RowAsync(key)).SpotInterruptionPriorPerHour;

        var afterInterruption = await RecordAsync(key, 50, interrupted: true);
        var afterQuietRun = await RecordAsync(key, 150, interrupted: false);

        Assert.Equal((1, 50.0), (afterInterruption.ObservedInterruptions, afterInterruption.SpotInstanceHours));
        Assert.Equal((prior * 200 + 1) / 250, afterInterruption.SpotInterruptionPerHour, 12);
        Assert.True(afterInterruption.SpotInterruptionPerHour > prior);
        Assert.Equal((1, 200.0), (afterQuietRun.ObservedInterruptions, afterQuietRun.SpotInstanceHours));
        Assert.Equal(Estimator.Estimate(prior, new InterruptionObservation(1, 200)), afterQuietRun.SpotInterruptionPerHour, 12);
        Assert.True(afterQuietRun.SpotInterruptionPerHour < afterInterruption.SpotInterruptionPerHour);
        var stored = await RowAsync(key);
        Assert.Equal((prior, afterQuietRun.SpotInterruptionPerHour), (stored.SpotInterruptionPriorPerHour, stored.SpotInterruptionPerHour));
    }

    [Fact]
    public async Task The_offers_endpoint_shows_the_new_estimate_on_the_spot_row()
    {
        var key = new OfferKey("aws", "us-east-2", null, "p5.48xlarge", CapacityType.Spot);
        var updated = await RecordAsync(key, 10, interrupted: true);
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "usage"));

        var items = await OfferListTests.ItemsAsync(client, "/v1/offers?provider=aws&region=us-east-2&gpuModel=h100&market=spot");

        var row = Assert.Single(items, i => i.Str("instanceType") == "p5.48xlarge");
        Assert.Equal(updated.SpotInterruptionPerHour, row["interruptionsPerHour"]!.GetValue<double>(), 12);
    }

    [Fact]
    public async Task Usage_in_a_zone_counts_for_the_regional_offer_when_the_catalog_has_no_zonal_row()
    {
        var regional = new OfferKey("aws", "us-west-2", null, "p4d.24xlarge", CapacityType.Spot);

        var updated = await RecordAsync(regional with { Zone = "us-west-2b" }, 3, interrupted: false);

        Assert.Null(updated.Zone);
        Assert.Equal(3.0, (await RowAsync(regional)).SpotInstanceHours);
    }

    [Fact]
    public async Task Concurrent_reports_are_all_counted()
    {
        var key = new OfferKey("gcp", "us-central1", null, "a3-highgpu-8g", CapacityType.Spot);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RecordAsync(key, 2.5, interrupted: true)));

        var row = await RowAsync(key);
        Assert.Equal((8, 20.0), (row.ObservedInterruptions, row.SpotInstanceHours));
        Assert.Equal(Estimator.Estimate(row.SpotInterruptionPriorPerHour, new InterruptionObservation(8, 20)), row.SpotInterruptionPerHour, 12);
    }

    [Fact]
    public async Task Unknown_offers_and_on_demand_usage_are_refused()
    {
        await Assert.ThrowsAsync<NotFoundException>(() =>
            RecordAsync(new OfferKey("aws", "us-east-1", null, "p99.imaginary", CapacityType.Spot), 1, interrupted: false));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            RecordAsync(new OfferKey("aws", "us-east-1", null, "p5.48xlarge", CapacityType.OnDemand), 1, interrupted: false));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            RecordAsync(new OfferKey("aws", "us-east-1", null, "p5.48xlarge", CapacityType.Spot), -1, interrupted: false));
    }

    private async Task<Offer> RecordAsync(OfferKey key, double hours, bool interrupted)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var catalog = scope.ServiceProvider.GetRequiredService<OfferCatalogService>();
        return await catalog.RecordSpotUsageAsync(key, hours, interrupted, CancellationToken.None);
    }

    private async Task<Offer> RowAsync(OfferKey key)
    {
        await using var db = app.NewDbContext();
        return await db.Offers.SingleAsync(o => o.Provider == key.Provider && o.Region == key.Region && o.InstanceType == key.InstanceType);
    }
}
