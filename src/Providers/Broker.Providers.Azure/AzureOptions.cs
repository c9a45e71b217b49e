namespace Broker.Providers.Azure;

/// <summary>Settings of the Azure adapter, bound from the configuration section <see cref="SectionName"/>.</summary>
public sealed class AzureOptions
{
    public const string SectionName = "Providers:Azure";

    public string SubscriptionId { get; set; } = "";

    /// <summary>The one resource group Broker creates its VMs and NICs in, and lists for garbage collection.</summary>
    public string ResourceGroup { get; set; } = "";

    /// <summary>ARM region names Broker may create VMs in, e.g. <c>eastus</c>.</summary>
    public List<string> Regions { get; set; } = [];

    /// <summary>Subnet resource id for the NICs the adapter creates; used for every region not in <see cref="SubnetIdsByRegion"/>.</summary>
    public string SubnetId { get; set; } = "";

    /// <summary>A NIC must sit in a virtual network of its VM's region: one subnet id per region when VMs span regions.</summary>
    public Dictionary<string, string> SubnetIdsByRegion { get; set; } = [];

    public AzureImageOptions Image { get; set; } = new();

    public string AdminUsername { get; set; } = "broker";

    /// <summary>OpenSSH public key installed for <see cref="AdminUsername"/>; password login is disabled.</summary>
    public string SshPublicKey { get; set; } = "";

    /// <summary>Resource Manager endpoint; null means the public cloud. Tests point it at a loopback fake.</summary>
    public Uri? ArmEndpoint { get; set; }

    /// <summary>
    /// Interval between polls of long-running operations when ARM sends no Retry-After; null leaves the SDK's default.
    /// Azure.Core never polls more often than once a second.
    /// </summary>
    public TimeSpan? OperationPollingInterval { get; set; }

    /// <summary>api-version for the NIC calls (Microsoft.Network is reached through generic resources, not its SDK).</summary>
    public string NetworkApiVersion { get; set; } = "2023-09-01";

    /// <summary>Base address of the public Retail Prices API.</summary>
    public Uri RetailPricesEndpoint { get; set; } = new("https://prices.azure.com/api/retail/prices");

    public string SubnetFor(string region) =>
        SubnetIdsByRegion.TryGetValue(region, out var subnet) && subnet.Length > 0 ? subnet : SubnetId;
}

/// <summary>Marketplace image reference; the default is Microsoft's Ubuntu HPC image, which ships NVIDIA drivers.</summary>
public sealed class AzureImageOptions
{
    public string Publisher { get; set; } = "microsoft-dsvm";
    public string Offer { get; set; } = "ubuntu-hpc";
    public string Sku { get; set; } = "2204";
    public string Version { get; set; } = "latest";
}
