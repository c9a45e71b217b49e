namespace Broker.Providers.Gcp;

/// <summary>Configuration section <c>Providers:Gcp</c>.</summary>
public sealed class GcpOptions
{
    public const string SectionName = "Providers:Gcp";

    /// <summary>Project id instances are created in.</summary>
    public string Project { get; set; } = "";

    /// <summary>Zones Broker may use, per region (for example <c>us-central1: [us-central1-a, us-central1-c]</c>).
    /// A request without a zone goes to the first zone listed for its region.</summary>
    public Dictionary<string, List<string>> Zones { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Boot image, for example <c>projects/deeplearning-platform-release/global/images/family/common-cu124</c>.</summary>
    public string SourceImage { get; set; } = "";

    public int BootDiskSizeGb { get; set; } = 100;

    /// <summary>Network URL (partial URLs such as <c>global/networks/default</c> are accepted by the API).</summary>
    public string Network { get; set; } = "global/networks/default";

    /// <summary>Optional subnetwork; <c>{region}</c> is replaced by the instance's region.</summary>
    public string? Subnetwork { get; set; }

    /// <summary>Give instances an ephemeral external IP (needed without Cloud NAT for the startup script to download anything).</summary>
    public bool AssignExternalIp { get; set; } = true;

    /// <summary>Optional service account the instance runs as; none is attached when empty.</summary>
    public string? ServiceAccountEmail { get; set; }

    /// <summary>Compute Engine REST base URL; tests point it at a loopback fake.</summary>
    public Uri BaseUrl { get; set; } = new("https://compute.googleapis.com/compute/v1/");

    /// <summary>Cloud Billing Catalog base URL.</summary>
    public Uri BillingBaseUrl { get; set; } = new("https://cloudbilling.googleapis.com/");

    /// <summary>API key for the Cloud Billing Catalog; when empty the OAuth token provider is used instead.</summary>
    public string? BillingApiKey { get; set; }

    /// <summary>Delay between zoneOperations.wait calls that come back before the operation is DONE.</summary>
    public TimeSpan OperationPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a create or delete waits for its operation before giving up with a transient error.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public IReadOnlyList<string> ZonesOf(string region) =>
        Zones.TryGetValue(region, out var zones) ? zones : [];
}
