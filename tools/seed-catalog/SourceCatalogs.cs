using Broker.Core.Capacity.Catalog;

namespace Broker.Tools.Seed;

/// <summary>
/// The three public catalogs in ../shared/data/prices and how each maps onto a <see cref="SeedRow"/>. Values are copied
/// as the source wrote them; corrections happen when Broker loads the seed.
/// </summary>
public static class SourceCatalogs
{
    /// <summary>ec2instances.info snapshot in tsaol/aws-gpu, commit 2d0108c (2025-11-30).</summary>
    public const string AwsAsOf = "2025-11-30";

    /// <summary>SkyPilot catalog v5 (skypilot-org/skypilot-catalog 3f5f697); its commit date is not recorded, so this is
    /// the date the file was retrieved into shared/data, an upper bound on the price date.</summary>
    public const string AzureAsOf = "2026-11-25";

    /// <summary>Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml generated 2026-07-30.</summary>
    public const string GcpAsOf = "2026-07-30";

    public const string AwsFile = "aws/aws_gpu_prices_by_region.csv";
    public const string AzureFile = "azure/azure_gpu_vms.csv";
    public const string GcpFile = "gcp/gcp_gpu_instances_latest.csv";

    public static IEnumerable<SeedRow> Aws(string pricesDirectory) =>
        SourceCsv.Read(Path.Combine(pricesDirectory, AwsFile)).Select(r => new SeedRow(
            "aws", r["region"], r["instance_type"], r["gpu_model"], r["gpu_count"], r["gpu_memory_gib"], r["vcpus"],
            r["memory_gib"], r["ondemand_usd_hr"], r["spot_avg_usd_hr"], r["pct_interrupt"], AwsAsOf));

    public static IEnumerable<SeedRow> Azure(string pricesDirectory) =>
        SourceCsv.Read(Path.Combine(pricesDirectory, AzureFile)).Select(r => new SeedRow(
            "azure", r["Region"], r["InstanceType"], r["AcceleratorName"], r["AcceleratorCount"], "", r["vCPUs"],
            r["MemoryGiB"], r["Price"], r["SpotPrice"], "", AzureAsOf));

    public static IEnumerable<SeedRow> Gcp(string pricesDirectory) =>
        SourceCsv.Read(Path.Combine(pricesDirectory, GcpFile)).Select(r => new SeedRow(
            "gcp", r["region"], r["machine_type"], r["gpu_model"], r["gpu_count"], "", r["vcpus"],
            r["ram_gb"], r["hour_ondemand_usd"], r["hour_spot_usd"], "", GcpAsOf));
}
