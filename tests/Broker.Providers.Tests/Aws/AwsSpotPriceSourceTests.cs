using System.Globalization;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Aws;
using Broker.Providers.Tests.Aws.Fake;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Providers.Tests.Aws;

public sealed class AwsSpotPriceSourceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Now);
    private AwsRig rig = null!;
    private AwsSpotPriceSource source = null!;

    public async Task InitializeAsync()
    {
        rig = await AwsRig.StartAsync(clock);
        source = new AwsSpotPriceSource(rig.Clients, clock);
    }

    public async Task DisposeAsync() => await rig.DisposeAsync();

    private void Price(string zone, string type, decimal price, int hoursAgo, string product = "Linux/UNIX") =>
        rig.Fake.Cloud.AddSpotPrice(new FakeSpotPrice(zone[..^1], zone, type, product, price, Now.AddHours(-hoursAgo)));

    [Fact]
    public async Task Returns_the_price_in_force_now_per_zone_and_instance_type_for_the_wanted_keys()
    {
        rig.Fake.Cloud.MaxPageSize = 1;
        Price("us-east-1a", "p5.48xlarge", 30m, hoursAgo: 10);
        Price("us-east-1a", "p5.48xlarge", 31.5m, hoursAgo: 2);
        Price("us-east-1b", "p5.48xlarge", 29.25m, hoursAgo: 5);
        Price("us-east-1a", "g6.xlarge", 0.35m, hoursAgo: 1);
        Price("us-east-1a", "p5.48xlarge", 99m, hoursAgo: 1, product: "Windows");
        Price("us-east-1a", "m7i.large", 0.05m, hoursAgo: 1);
        Price("us-west-2a", "g6.xlarge", 0.41m, hoursAgo: 3);

        var quotes = await source.FetchAsync(
            [new PriceKey("us-east-1", "p5.48xlarge"), new PriceKey("us-east-1", "g6.xlarge"), new PriceKey("us-west-2", "g6.xlarge")],
            CancellationToken.None);

        var got = quotes.Select(q => $"{q.Provider} {q.Region} {q.Zone} {q.InstanceType} {q.Market} {q.PricePerHour.ToString(CultureInfo.InvariantCulture)}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(
        [
            "aws us-east-1 us-east-1a g6.xlarge Spot 0.35",
            "aws us-east-1 us-east-1a p5.48xlarge Spot 31.5",
            "aws us-east-1 us-east-1b p5.48xlarge Spot 29.25",
            "aws us-west-2 us-west-2a g6.xlarge Spot 0.41",
        ], got);
        Assert.Equal(Now.AddHours(-2), quotes.Single(q => q.Zone == "us-east-1a" && q.InstanceType == "p5.48xlarge").ObservedAt);

        var calls = rig.Fake.CallsTo("DescribeSpotPriceHistory");
        Assert.True(calls.Count(c => c.Region == "us-east-1") >= 3, "the east region's prices span several pages");
        Assert.All(calls, c => Assert.Equal("Linux/UNIX", c["ProductDescription.1"]));
        Assert.All(calls, c => Assert.Equal(Now, DateTimeOffset.Parse(c["StartTime"]!, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Failed_fetch_throws_so_the_refresher_keeps_its_last_good_prices()
    {
        rig.Fake.Faults.Inject("DescribeSpotPriceHistory", "Unavailable");

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            source.FetchAsync([new PriceKey("us-east-1", "p5.48xlarge")], CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, error.Kind);
    }
}
