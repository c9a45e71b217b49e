using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;

namespace Broker.Core.Tests.Catalog;

/// <summary>The loader's rules on small hand-made seed files.</summary>
public sealed class SeedParseTests
{
    [Fact]
    public void Each_skipped_row_lands_in_the_first_matching_bucket()
    {
        var result = SeedText.Load(
            SeedText.Row(type: "p5.48xlarge"),
            SeedText.Row(type: "no-price", onDemand: ""),
            SeedText.Row(type: "no-price-inferentia", accelerator: "AWS Inferentia", onDemand: ""),
            SeedText.Row(type: "fpga", accelerator: ""),
            SeedText.Row(type: "inf1", accelerator: "AWS Inferentia"),
            SeedText.Row(type: "g6f.large", accelerator: "NVIDIA L4", gpus: "0.125", gpuMemory: "3"));

        Assert.Equal(6, result.RowsRead);
        Assert.Equal(["p5.48xlarge"], result.Offers.Select(o => o.InstanceType));
        Assert.Equal(2, result.SkippedWithoutPrice);
        Assert.Equal(1, result.SkippedNoAccelerator);
        Assert.Equal(1, result.SkippedNonNvidia);
        Assert.Equal(1, result.SkippedFractionalGpu);
    }

    [Fact]
    public void Azure_spot_equal_to_on_demand_becomes_null_but_aws_spot_at_on_demand_is_kept()
    {
        var result = SeedText.Load(
            SeedText.Row(provider: "azure", region: "eastus", type: "Standard_NC40ads_H100_v5", accelerator: "H100", gpus: "1",
                gpuMemory: "", onDemand: "6.98", spot: "6.98", band: ""),
            SeedText.Row(provider: "aws", region: "ca-central-1", onDemand: "63.296", spot: "63.296"));

        Assert.Null(result.Offers.Single(o => o.Provider == "azure").SpotPerHour);
        Assert.Equal(63.296m, result.Offers.Single(o => o.Provider == "aws").SpotPerHour);
        Assert.Equal(1, result.SpotPricesCleared);
    }

    [Fact]
    public void Azure_ND96isr_H100_v5_gpu_count_is_corrected_to_8()
    {
        var result = SeedText.Load(SeedText.Row(provider: "azure", region: "eastus", type: "Standard_ND96isr_H100_v5",
            accelerator: "H100", gpus: "12", gpuMemory: "", onDemand: "98.32", spot: "", band: ""));

        var offer = Assert.Single(result.Offers);
        Assert.Equal(8, offer.GpuCount);
        Assert.Equal(GpuModels.H100_80GB, offer.GpuModel);
        Assert.Equal(1, result.GpuCountsCorrected);
    }

    [Fact]
    public void A_duplicated_offer_is_a_broken_seed()
    {
        Assert.Throws<InvalidDataException>(() => SeedText.Load(SeedText.Row(), SeedText.Row()));
    }

    [Fact]
    public void A_seed_with_another_header_is_refused()
    {
        using var reader = new StringReader("provider,region\naws,us-east-1\n");

        Assert.Throws<InvalidDataException>(() => SeedCatalog.Parse(reader));
    }

    [Fact]
    public void Missing_spot_price_gives_an_offer_without_a_spot_market()
    {
        var offer = Assert.Single(SeedText.Load(SeedText.Row(spot: "", band: "")).Offers);

        Assert.Null(offer.SpotPerHour);
        Assert.Null(offer.PricePerGpuHour(CapacityType.Spot));
        Assert.Equal(SpotInterruptionPriors.DefaultPerHour("aws"), offer.SpotInterruptionPriorPerHour);
    }
}
