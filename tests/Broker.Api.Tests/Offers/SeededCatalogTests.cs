using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;
using Broker.Core.Persistence;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Api.Tests.Offers;

public sealed class SeededCatalogTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    private static readonly CatalogLoadResult Seed = SeedCatalog.Load();

    [Fact]
    public async Task Start_up_loads_every_seed_offer_into_the_offers_table()
    {
        await using var db = app.NewDbContext();

        Assert.Equal(Seed.Offers.Count, await db.Offers.CountAsync());
        Assert.Equal(Seed.Offers.Count(o => o.GpuModel == GpuModels.H100_80GB),
            await db.Offers.CountAsync(o => o.GpuModel == GpuModels.H100_80GB));
    }

    [Fact]
    public async Task The_catalog_service_loads_the_stored_offers_as_catalog_offers()
    {
        await using var scope = app.Services.CreateAsyncScope();

        var offers = await scope.ServiceProvider.GetRequiredService<OfferCatalogService>().LoadAvailableAsync(CancellationToken.None);

        Assert.Equal(Seed.Offers.Count, offers.Count);
        var p5 = Seed.Offers.Single(o => o.Provider == "aws" && o.Region == "us-east-1" && o.InstanceType == "p5.48xlarge");
        Assert.Equal(p5, offers.Single(o => o.Provider == "aws" && o.Region == "us-east-1" && o.InstanceType == "p5.48xlarge"));
    }

    [Fact]
    public async Task Seeded_H100_rows_carry_the_published_prices_and_the_load_time_corrections()
    {
        await using var db = app.NewDbContext();

        var p5 = await db.Offers.SingleAsync(o => o.Provider == "aws" && o.Region == "us-east-1" && o.InstanceType == "p5.48xlarge");
        var nd = await db.Offers.SingleAsync(o => o.Provider == "azure" && o.Region == "eastus" && o.InstanceType == "Standard_ND96isr_H100_v5");

        Assert.Equal((GpuModels.H100_80GB, 8, 55.04m, 28.106467m), (p5.GpuModel, p5.GpuCount, p5.OnDemandPerHour, p5.SpotPerHour));
        Assert.Equal(new DateOnly(2025, 11, 30), p5.PricesAsOf);
        Assert.Null(p5.Zone);
        Assert.Equal(p5.SpotInterruptionPriorPerHour, p5.SpotInterruptionPerHour);
        Assert.Equal((0, 0.0), (p5.ObservedInterruptions, p5.SpotInstanceHours));
        Assert.Equal((GpuModels.H100_80GB, 8, 98.32m), (nd.GpuModel, nd.GpuCount, nd.OnDemandPerHour));
        Assert.Null(nd.SpotPerHour);
    }

    [Fact]
    public async Task Seeding_a_catalog_that_is_already_there_inserts_nothing_and_keeps_changed_prices()
    {
        await using var db = app.NewDbContext();
        var row = await db.Offers.SingleAsync(o => o.Provider == "gcp" && o.InstanceType == "a3-highgpu-8g" && o.Region == "us-central1");
        row.OnDemandPerHour = 1.5m;
        await db.SaveChangesAsync();
        var seeder = new OfferSeeder(db, TimeProvider.System);

        var whenNotEmpty = await seeder.SeedIfEmptyAsync(Seed.Offers, CancellationToken.None);
        var missingOnly = await seeder.InsertMissingAsync(Seed.Offers, CancellationToken.None);

        Assert.Equal((0, 0), (whenNotEmpty, missingOnly));
        await using var again = app.NewDbContext();
        Assert.Equal(1.5m, (await again.Offers.SingleAsync(o => o.Id == row.Id)).OnDemandPerHour);
    }

    [Fact]
    public async Task Two_replicas_seeding_an_empty_table_at_once_store_each_offer_once()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("seed");
        await using (var setup = Context(connectionString))
        {
            await setup.Database.MigrateAsync();
        }
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

        var inserted = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var db = Context(connectionString);
            return await new OfferSeeder(db, clock).SeedIfEmptyAsync(Seed.Offers, CancellationToken.None);
        }));

        await using var check = Context(connectionString);
        Assert.Equal(Seed.Offers.Count, inserted.Sum());
        Assert.Equal(Seed.Offers.Count, await check.Offers.CountAsync());
        Assert.Equal(Seed.Offers.Count, await check.Offers.Select(o => new { o.Provider, o.Region, o.InstanceType }).Distinct().CountAsync());
        Assert.True(await check.Offers.AllAsync(o => o.UpdatedAt == clock.GetUtcNow()));
    }

    private static BrokerDbContext Context(string connectionString)
    {
        var options = new DbContextOptionsBuilder<BrokerDbContext>();
        options.UseBrokerDatabase(connectionString);
        return new BrokerDbContext(options.Options);
    }
}
