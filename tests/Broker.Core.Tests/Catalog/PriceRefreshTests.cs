using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;

namespace Broker.Core.Tests.Catalog;

public sealed class PriceRefreshTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static readonly CatalogOffer[] Catalog =
    [
        Offers.Make("aws", "us-east-1", "p5.48xlarge", onDemand: 55.04m, spot: 18m),
        Offers.Make("aws", "us-west-2", "p5.48xlarge", onDemand: 55.04m, spot: 20m),
        Offers.Make("azure", "eastus", "Standard_NC40ads_H100_v5", gpus: 1, onDemand: 6.98m, spot: null),
    ];

    private static PriceQuote Quote(string provider, string region, string? zone, string type, CapacityType market, decimal price,
        DateTimeOffset? at = null) => new(provider, region, zone, type, market, price, at ?? Now);

    [Fact]
    public void Quotes_update_prices_and_the_as_of_date()
    {
        var result = PriceRefresh.Merge(Catalog, "aws",
        [
            Quote("aws", "us-east-1", null, "p5.48xlarge", CapacityType.OnDemand, 50m),
            Quote("aws", "us-east-1", "us-east-1a", "p5.48xlarge", CapacityType.Spot, 15m),
            Quote("aws", "us-east-1", "us-east-1b", "p5.48xlarge", CapacityType.Spot, 17m),
        ]);

        Assert.True(result.Succeeded);
        var updated = result.Offers[0];
        Assert.Equal(50m, updated.OnDemandPerHour);
        Assert.Equal(16m, updated.SpotPerHour);
        Assert.Equal(new DateOnly(2026, 11, 25), updated.PricesAsOf);
        Assert.Equal(Catalog[1], result.Offers[1]);
        Assert.Equal(1, result.OffersUpdated);
    }

    [Fact]
    public void The_latest_quote_per_zone_wins()
    {
        var result = PriceRefresh.Merge(Catalog, "aws",
        [
            Quote("aws", "us-west-2", "us-west-2a", "p5.48xlarge", CapacityType.Spot, 30m, Now),
            Quote("aws", "us-west-2", "us-west-2a", "p5.48xlarge", CapacityType.Spot, 10m, Now.AddHours(-1)),
        ]);

        Assert.Equal(30m, result.Offers[1].SpotPerHour);
    }

    [Fact]
    public void Quotes_for_unknown_offers_are_ignored_and_counted()
    {
        var result = PriceRefresh.Merge(Catalog, "aws",
        [
            Quote("aws", "eu-west-1", null, "p5.48xlarge", CapacityType.OnDemand, 60m),
            Quote("aws", "us-east-1", null, "p9.huge", CapacityType.OnDemand, 1m),
            Quote("gcp", "us-east-1", null, "p5.48xlarge", CapacityType.OnDemand, 1m),
            Quote("aws", "us-east-1", null, "p5.48xlarge", CapacityType.Spot, 0m),
        ]);

        Assert.Equal(3, result.QuotesIgnoredUnknown);
        Assert.Equal(1, result.QuotesRejected);
        Assert.Equal(0, result.OffersUpdated);
        Assert.Equal(Catalog, result.Offers);
    }

    [Fact]
    public async Task A_spot_quote_fills_an_unknown_spot_price()
    {
        var source = new FakePriceSource("azure", _ => [Quote("azure", "eastus", null, "Standard_NC40ads_H100_v5", CapacityType.Spot, 2.1m)]);

        var result = await PriceRefresh.RefreshAsync(Catalog, source, CancellationToken.None);

        Assert.Equal(2.1m, result.Offers[2].SpotPerHour);
        Assert.Equal([new PriceKey("eastus", "Standard_NC40ads_H100_v5")], source.Asked);
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_last_good_prices_and_says_why()
    {
        var good = PriceRefresh.Merge(Catalog, "aws", [Quote("aws", "us-east-1", null, "p5.48xlarge", CapacityType.OnDemand, 50m)]).Offers;
        var failing = new FakePriceSource("aws", _ => throw new HttpRequestException("price API answered 503"));

        var result = await PriceRefresh.RefreshAsync(good, failing, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Same(good, result.Offers);
        Assert.Equal(50m, result.Offers[0].OnDemandPerHour);
        Assert.Contains("503", result.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_is_not_reported_as_a_failed_refresh()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var source = new FakePriceSource("aws", ct => throw new OperationCanceledException(ct));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PriceRefresh.RefreshAsync(Catalog, source, cts.Token));
    }

    private sealed class FakePriceSource(string provider, Func<CancellationToken, IReadOnlyList<PriceQuote>> answer) : IPriceSource
    {
        public List<PriceKey> Asked { get; } = [];

        public string Provider => provider;

        public Task<IReadOnlyList<PriceQuote>> FetchAsync(IReadOnlyCollection<PriceKey> wanted, CancellationToken cancellationToken)
        {
            Asked.AddRange(wanted);
            return Task.FromResult(answer(cancellationToken));
        }
    }
}
