using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;

namespace Broker.Core.Tests.Catalog;

/// <summary>Loads the real embedded seed file.</summary>
public sealed class SeedCatalogTests
{
    private static readonly CatalogLoadResult Seed = SeedCatalog.Load();

    private static CatalogOffer Offer(string provider, string region, string type) =>
        Seed.Offers.Single(o => o.Provider == provider && o.Region == region && o.InstanceType == type);

    [Fact]
    public void Every_seed_row_is_an_offer_or_counted_in_one_skip_bucket()
    {
        Assert.Equal(SeedText.RealRows().Count, Seed.RowsRead);
        Assert.Equal(Seed.RowsRead, Seed.Offers.Count + Seed.Skipped);
        Assert.Contains("without price", Seed.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_without_an_on_demand_price_are_skipped_and_counted()
    {
        var unpriced = SeedText.RealRows().Where(r => r.OnDemandUsdPerHour.Length == 0).ToList();

        Assert.NotEmpty(unpriced);
        Assert.Equal(unpriced.Count, Seed.SkippedWithoutPrice);
        Assert.DoesNotContain(Seed.Offers, o => unpriced.Any(r => r.Region == o.Region && r.InstanceType == o.InstanceType));
    }

    [Theory]
    [InlineData("aws", "us-east-1", "p5.48xlarge", 8)]
    [InlineData("aws", "ap-south-1", "p5.4xlarge", 1)]
    [InlineData("azure", "eastus", "Standard_NC40ads_H100_v5", 1)]
    [InlineData("azure", "eastus2", "Standard_ND96is_H100_v5", 8)]
    [InlineData("gcp", "us-central1", "a3-highgpu-8g", 8)]
    [InlineData("gcp", "us-east4", "a3-megagpu-8g", 8)]
    public void H100_offers_of_all_three_clouds_are_normalized_to_H100_80GB(string provider, string region, string type, int gpus)
    {
        var offer = Offer(provider, region, type);

        Assert.Equal(GpuModels.H100_80GB, offer.GpuModel);
        Assert.Equal(gpus, offer.GpuCount);
        Assert.Equal(80, offer.GpuMemoryGb);
    }

    [Fact]
    public void Every_H100_row_in_the_seed_becomes_an_H100_80GB_offer()
    {
        var h100Types = SeedText.RealRows().Where(r => r.Accelerator.Contains("H100", StringComparison.Ordinal))
            .Select(r => (r.Provider, r.InstanceType)).ToHashSet();

        var models = Seed.Offers.Where(o => h100Types.Contains((o.Provider, o.InstanceType))).Select(o => o.GpuModel).Distinct();

        Assert.Equal([GpuModels.H100_80GB], models);
        Assert.Equal(["aws", "azure", "gcp"], h100Types.Select(t => t.Provider).Distinct().Order());
    }

    [Fact]
    public void Azure_ND96_H100_v5_says_12_GPUs_in_the_source_and_is_corrected_to_8()
    {
        var source = SeedText.RealRows().Where(r => r.InstanceType.StartsWith("Standard_ND96is", StringComparison.Ordinal)).ToList();
        Assert.All(source, r => Assert.Equal("12", r.GpuCount));

        var offers = Seed.Offers.Where(o => o.InstanceType.StartsWith("Standard_ND96is", StringComparison.Ordinal)).ToList();

        Assert.Equal(source.Count, offers.Count);
        Assert.All(offers, o => Assert.Equal(8, o.GpuCount));
        var eastus = Offer("azure", "eastus", "Standard_ND96isr_H100_v5");
        Assert.Equal(98.32m / 8, eastus.OnDemandPerGpuHour);
    }

    [Fact]
    public void Azure_H100_spot_equal_to_on_demand_is_treated_as_unknown()
    {
        var azureH100 = Seed.Offers.Where(o => o.Provider == "azure" && o.GpuModel == GpuModels.H100_80GB).ToList();

        Assert.Equal(12, azureH100.Count);
        Assert.All(azureH100, o => Assert.Null(o.SpotPerHour));
        Assert.Equal(12, Seed.SpotPricesCleared);
        Assert.Equal(0.444433m, Offer("azure", "eastus", "Standard_NC24ads_A100_v4").SpotPerHour);
    }

    [Fact]
    public void Non_nvidia_accelerators_are_skipped_and_counted()
    {
        string[] foreign = ["AWS Inferentia", "AWS Inferentia2", "AMD Radeon Pro V520", "Qualcomm AI 100 Accelerators", "Radeon MI25"];
        var priced = SeedText.RealRows().Where(r => r.OnDemandUsdPerHour.Length > 0).ToList();

        Assert.Equal(priced.Count(r => foreign.Contains(r.Accelerator)), Seed.SkippedNonNvidia);
        Assert.DoesNotContain(Seed.Offers, o => o.InstanceType.StartsWith("inf", StringComparison.Ordinal) || o.InstanceType.StartsWith("g4ad", StringComparison.Ordinal));
    }

    [Fact]
    public void Fractional_GPU_sizes_are_skipped_and_whole_ones_kept()
    {
        Assert.DoesNotContain(Seed.Offers, o => o.InstanceType is "g6f.large" or "g4-standard-12" or "Standard_NV6ads_A10_v5");
        Assert.Equal(1, Offer("gcp", "us-central1", "g4-standard-48").GpuCount);
        Assert.Equal(GpuModels.RtxPro6000, Offer("gcp", "us-central1", "g4-standard-48").GpuModel);
        Assert.Equal(1, Offer("azure", "eastus", "Standard_NV36ads_A10_v5").GpuCount);
        Assert.True(Seed.SkippedFractionalGpu > 0);
    }

    [Theory]
    [InlineData("p4d.24xlarge", "A100-40GB", 40)]
    [InlineData("p4de.24xlarge", "A100-80GB", 80)]
    [InlineData("p3.2xlarge", "V100-16GB", 16)]
    [InlineData("p3dn.24xlarge", "V100-32GB", 32)]
    [InlineData("p5en.48xlarge", "H200-141GB", 141)]
    public void Aws_gpu_memory_picks_the_model_variant(string type, string model, double memoryGb)
    {
        var offer = Seed.Offers.First(o => o.InstanceType == type);

        Assert.Equal(model, offer.GpuModel);
        Assert.Equal(memoryGb, offer.GpuMemoryGb);
    }

    [Fact]
    public void Aws_p2_counts_K80_gpus_not_boards()
    {
        Assert.Equal(16, Offer("aws", "us-east-1", "p2.16xlarge").GpuCount);
        Assert.Equal(8, Offer("aws", "us-east-1", "p2.8xlarge").GpuCount);
        Assert.Equal(1, Offer("aws", "us-east-1", "p2.xlarge").GpuCount);
        Assert.All(Seed.Offers.Where(o => o.GpuModel == GpuModels.K80 && o.Provider == "aws"), o => Assert.Equal(12, o.GpuMemoryGb));
    }

    [Fact]
    public void Aws_band_sets_the_interruption_prior_and_other_clouds_use_their_default()
    {
        var row = SeedText.RealRows().First(r => r.Provider == "aws" && r.SpotInterruptionBand == "<5%" && r.OnDemandUsdPerHour.Length > 0
            && r.Accelerator.StartsWith("NVIDIA", StringComparison.Ordinal));
        var offer = Offer("aws", row.Region, row.InstanceType);

        Assert.Equal(-Math.Log(0.975) / 730, offer.SpotInterruptionPerHour, 12);
        Assert.Equal(SpotInterruptionPriors.DefaultPerHour("gcp"), Offer("gcp", "us-central1", "a3-highgpu-8g").SpotInterruptionPerHour);
    }

    [Fact]
    public void Offers_carry_their_source_date_and_no_zone()
    {
        Assert.All(Seed.Offers, o => Assert.Null(o.Zone));
        Assert.Equal(new DateOnly(2025, 11, 30), Offer("aws", "us-east-1", "p5.48xlarge").PricesAsOf);
        Assert.Equal(new DateOnly(2026, 7, 30), Offer("gcp", "us-central1", "a3-highgpu-8g").PricesAsOf);
        Assert.All(Seed.Offers, o => Assert.True(o.OnDemandPerHour > 0 && o.GpuCount >= 1));
    }
}
