using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;

namespace Broker.Core.Tests.Catalog;

public sealed class OfferQueryTests
{
    private static readonly CatalogOffer[] Sample =
    [
        Offers.Make("aws", "us-east-1", "p5.48xlarge", gpus: 8, onDemand: 55.04m, spot: 18m),
        Offers.Make("gcp", "us-central1", "a3-highgpu-1g", gpus: 1, onDemand: 11m, spot: 2.25m),
        Offers.Make("azure", "eastus", "Standard_NC40ads_H100_v5", gpus: 1, onDemand: 6.98m, spot: null),
        Offers.Make("aws", "us-east-1", "g6.xlarge", model: "L4", gpus: 1, onDemand: 0.8m, spot: 0.3m),
        Offers.Make("aws", "us-west-2", "p5.4xlarge", gpus: 1, onDemand: 6.88m, spot: 2.25m, available: false),
    ];

    [Fact]
    public void Lists_each_market_cheapest_gpu_hour_first()
    {
        var rows = new OfferQuery(GpuModel: "nvidia h100").Apply(Sample);

        Assert.Equal(
            ["a3-highgpu-1g/Spot", "p5.48xlarge/Spot", "p5.48xlarge/OnDemand", "Standard_NC40ads_H100_v5/OnDemand", "a3-highgpu-1g/OnDemand"],
            rows.Select(r => $"{r.Offer.InstanceType}/{r.Market}"));
        Assert.Equal(2.25m, rows[1].PricePerGpuHour);
        Assert.Equal(18m, rows[1].PricePerHour);
    }

    [Fact]
    public void Equal_gpu_hour_prices_are_ordered_by_instance_price_then_names()
    {
        CatalogOffer[] tied =
        [
            Offers.Make("gcp", "us-east1", "b", gpus: 1, onDemand: 2m, spot: null),
            Offers.Make("aws", "us-east-1", "c", gpus: 2, onDemand: 4m, spot: null),
            Offers.Make("aws", "us-east-1", "a", gpus: 1, onDemand: 2m, spot: null),
        ];

        var order = new OfferQuery().Apply(tied).Select(r => r.Offer.InstanceType);

        Assert.Equal(["a", "b", "c"], order);
        Assert.Equal(order, new OfferQuery().Apply(tied.Reverse()).Select(r => r.Offer.InstanceType));
    }

    [Fact]
    public void Filters_by_market_min_gpus_provider_and_region()
    {
        var spot = new OfferQuery(Market: CapacityType.Spot).Apply(Sample);
        Assert.All(spot, r => Assert.Equal(CapacityType.Spot, r.Market));
        Assert.DoesNotContain(spot, r => r.Offer.Provider == "azure");

        var big = new OfferQuery(MinGpus: 8).Apply(Sample);
        Assert.All(big, r => Assert.Equal("p5.48xlarge", r.Offer.InstanceType));

        var gcp = new OfferQuery(Provider: "GCP", Region: "us-central1", Market: CapacityType.OnDemand).Apply(Sample);
        Assert.Equal("a3-highgpu-1g", Assert.Single(gcp).Offer.InstanceType);
    }

    [Fact]
    public void Unavailable_offers_are_left_out_unless_asked_for()
    {
        Assert.DoesNotContain(new OfferQuery().Apply(Sample), r => r.Offer.InstanceType == "p5.4xlarge");
        Assert.Contains(new OfferQuery(IncludeUnavailable: true).Apply(Sample), r => r.Offer.InstanceType == "p5.4xlarge");
    }

    [Fact]
    public void The_on_prem_market_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new OfferQuery(Market: CapacityType.OnPrem).Apply(Sample));
    }

    [Fact]
    public void On_the_real_seed_the_cheapest_8_gpu_h100_spot_row_is_first()
    {
        var offers = SeedCatalog.Load().Offers;

        var rows = new OfferQuery(GpuModel: GpuModels.H100_80GB, MinGpus: 8, Market: CapacityType.Spot).Apply(offers);

        Assert.NotEmpty(rows);
        var cheapest = offers.Where(o => o.GpuModel == GpuModels.H100_80GB && o.GpuCount >= 8 && o.SpotPerGpuHour is not null)
            .Min(o => o.SpotPerGpuHour);
        Assert.Equal(cheapest, rows[0].PricePerGpuHour);
        Assert.True(rows.Zip(rows.Skip(1)).All(p => p.First.PricePerGpuHour <= p.Second.PricePerGpuHour));
    }
}
