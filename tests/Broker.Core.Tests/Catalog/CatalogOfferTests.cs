using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;

namespace Broker.Core.Tests.Catalog;

public sealed class CatalogOfferTests
{
    [Fact]
    public void Price_per_gpu_hour_divides_the_instance_price_by_the_gpu_count_in_each_market()
    {
        var offer = Offers.Make(gpus: 8, onDemand: 55.04m, spot: 18.037475m);

        Assert.Equal(6.88m, offer.OnDemandPerGpuHour);
        Assert.Equal(2.254684m, offer.SpotPerGpuHour);
        Assert.Equal(6.88m, offer.PricePerGpuHour(CapacityType.OnDemand));
        Assert.Null(offer.PricePerGpuHour(CapacityType.OnPrem));
    }

    [Fact]
    public void Interruption_probability_grows_with_the_run_length()
    {
        var offer = Offers.Make() with { SpotInterruptionPerHour = 0.01 };

        Assert.Equal(0, offer.SpotInterruptionProbability(TimeSpan.Zero));
        Assert.Equal(1 - Math.Exp(-0.1), offer.SpotInterruptionProbability(TimeSpan.FromHours(10)), 12);
    }

    [Fact]
    public void Key_names_the_offer_in_one_market()
    {
        var key = Offers.Make().Key(CapacityType.Spot);

        Assert.Equal(new OfferKey("aws", "us-east-1", null, "p5.48xlarge", CapacityType.Spot), key);
    }
}

internal static class Offers
{
    public static CatalogOffer Make(string provider = "aws", string region = "us-east-1", string type = "p5.48xlarge",
        string model = "H100-80GB", int gpus = 8, decimal onDemand = 55.04m, decimal? spot = 18m, bool available = true) =>
        new(provider, region, null, type, model, gpus, 80, 192, 2048, onDemand, spot, 1e-4, 1e-4, available,
            new DateOnly(2025, 11, 30));
}
