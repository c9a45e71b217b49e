using Broker.Core.Capacity;
using Broker.Providers.Azure;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Providers.Tests.Azure;

public sealed class AzureRetailPriceSourceTests
{
    [Fact]
    public async Task Fetch_follows_next_page_link_and_returns_spot_and_on_demand_linux_prices()
    {
        await using var fake = await FakeRetailPrices.StartAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        using var http = new HttpClient();
        var source = new AzureRetailPriceSource(http, new AzureOptions { RetailPricesEndpoint = fake.Endpoint }, clock);

        var quotes = await source.FetchAsync([new PriceKey("eastus", AzureFakeHarness.Size)], CancellationToken.None);

        Assert.Equal(2, fake.Queries.Count);
        Assert.Contains("$skip=100", fake.Queries[1], StringComparison.Ordinal);
        var filter = Uri.UnescapeDataString(fake.Queries[0]);
        Assert.Contains("armRegionName eq 'eastus'", filter, StringComparison.Ordinal);
        Assert.Contains($"armSkuName eq '{AzureFakeHarness.Size}'", filter, StringComparison.Ordinal);
        Assert.Equal(
            [
                new PriceQuote("azure", "eastus", null, AzureFakeHarness.Size, CapacityType.Spot, 1.34776m, clock.GetUtcNow()),
                new PriceQuote("azure", "eastus", null, AzureFakeHarness.Size, CapacityType.OnDemand, 3.673m, clock.GetUtcNow()),
            ],
            quotes.OrderBy(q => q.PricePerHour));
    }
}
