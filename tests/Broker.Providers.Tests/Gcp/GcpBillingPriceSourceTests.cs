using Broker.Core.Capacity;
using Broker.Providers.Gcp.Compute;
using Broker.Providers.Tests.Gcp.Fake;
using static Broker.Providers.Tests.Gcp.Fake.FakeBillingCatalog;

namespace Broker.Providers.Tests.Gcp;

public sealed class GcpBillingPriceSourceTests
{
    // Per-unit rates the fake catalog serves (USD per vCPU-hour, GiB-hour, GPU-hour), Americas.
    private const decimal Core = 0.024988m, Ram = 0.002927m, L4 = 0.56004m;
    private const decimal SpotCore = 0.00999m, SpotRam = 0.001171m, SpotL4 = 0.2240m;

    private static void ServeTwoPages(FakeBillingCatalog billing)
    {
        billing.Pages.Add(
        [
            Sku("G2 Instance Core running in Americas", "CPU", "OnDemand", "h", Core, "us-central1", "us-east1"),
            Sku("G2 Instance Ram running in Americas", "RAM", "OnDemand", "GiBy.h", Ram, "us-central1", "us-east1"),
            Sku("Nvidia L4 GPU running in Americas", "GPU", "OnDemand", "h", L4, "us-central1", "us-east1"),
            Sku("Commitment v1: G2 Cpu in Americas for 1 Year", "CPU", "Commit1Yr", "h", 0.0157m, "us-central1"),
            Sku("Nvidia L4 GPU running in Belgium", "GPU", "OnDemand", "h", 0.61m, "europe-west1"),
        ]);
        billing.Pages.Add(
        [
            Sku("Spot Preemptible G2 Instance Core running in Americas", "CPU", "Preemptible", "h", SpotCore, "us-central1"),
            Sku("Spot Preemptible G2 Instance Ram running in Americas", "RAM", "Preemptible", "GiBy.h", SpotRam, "us-central1"),
            Sku("Nvidia L4 GPU attached to Spot Preemptible VMs running in Americas", "GPU", "Preemptible", "h", SpotL4, "us-central1"),
            Sku("G2 Sole Tenancy Instance Core running in Americas", "CPU", "OnDemand", "h", 0.03m, "us-central1"),
        ]);
    }

    [Fact]
    public async Task Prices_a_machine_type_on_demand_and_spot_from_both_catalog_pages()
    {
        await using var rig = await GcpRig.StartAsync();
        ServeTwoPages(rig.Fake.Billing);

        var quotes = await rig.Prices.FetchAsync([new PriceKey("us-central1", "g2-standard-8")], CancellationToken.None);

        Assert.All(quotes, q => Assert.Equal(("gcp", "us-central1", "g2-standard-8", (string?)null), (q.Provider, q.Region, q.InstanceType, q.Zone)));
        Assert.Equal((8 * Core) + (32 * Ram) + L4, Assert.Single(quotes, q => q.Market == CapacityType.OnDemand).PricePerHour);
        Assert.Equal((8 * SpotCore) + (32 * SpotRam) + SpotL4, Assert.Single(quotes, q => q.Market == CapacityType.Spot).PricePerHour);
        var pages = rig.Fake.State.Calls().Where(c => c.Path.EndsWith("/skus", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, pages.Count);
        Assert.All(pages, p => Assert.Equal($"Bearer {FakeGceServer.Token}", p.Authorization));
    }

    [Fact]
    public async Task Region_without_spot_skus_gets_only_an_on_demand_price_and_unknown_shapes_none()
    {
        await using var rig = await GcpRig.StartAsync();
        ServeTwoPages(rig.Fake.Billing);

        var quotes = await rig.Prices.FetchAsync(
            [new PriceKey("us-east1", "g2-standard-24"), new PriceKey("europe-west4", "g2-standard-8"), new PriceKey("us-central1", "n1-standard-8")],
            CancellationToken.None);

        var quote = Assert.Single(quotes);
        Assert.Equal(("us-east1", "g2-standard-24", CapacityType.OnDemand), (quote.Region, quote.InstanceType, quote.Market));
        Assert.Equal((24 * Core) + (96 * Ram) + (2 * L4), quote.PricePerHour);
    }

    [Fact]
    public async Task Api_key_replaces_the_bearer_token_when_configured()
    {
        await using var rig = await GcpRig.StartAsync(new Broker.Providers.Gcp.Auth.StaticAccessTokenProvider("not-accepted"));
        ServeTwoPages(rig.Fake.Billing);
        rig.Options.BillingApiKey = ApiKey;

        var quotes = await rig.Prices.FetchAsync([new PriceKey("us-central1", "g2-standard-8")], CancellationToken.None);

        Assert.Equal(2, quotes.Count);
        Assert.All(rig.Fake.State.Calls(), c => Assert.Equal("", c.Authorization));
    }

    [Fact]
    public async Task A_failed_page_fails_the_fetch_so_the_last_good_prices_are_kept()
    {
        await using var rig = await GcpRig.StartAsync(new Broker.Providers.Gcp.Auth.StaticAccessTokenProvider("revoked"));
        ServeTwoPages(rig.Fake.Billing);

        var error = await Assert.ThrowsAsync<GcpApiException>(() =>
            rig.Prices.FetchAsync([new PriceKey("us-central1", "g2-standard-8")], CancellationToken.None));

        Assert.Equal(401, error.HttpStatus);
    }

    [Fact]
    public async Task Nothing_is_fetched_when_no_wanted_type_has_a_known_shape()
    {
        await using var rig = await GcpRig.StartAsync();

        var quotes = await rig.Prices.FetchAsync([new PriceKey("us-central1", "g4-standard-48")], CancellationToken.None);

        Assert.Empty(quotes);
        Assert.Empty(rig.Fake.State.Calls());
    }
}
