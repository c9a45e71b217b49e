namespace Broker.Providers.Aws;

/// <summary>Configuration section <c>Providers:Aws</c>.</summary>
public sealed class AwsOptions
{
    public const string SectionName = "Providers:Aws";

    /// <summary>Read by the composition root, which calls <c>AddAwsProvider</c> only when true.</summary>
    public bool Enabled { get; set; }

    /// <summary>Regions Broker may launch in; garbage collection lists every one of them.</summary>
    public List<string> Regions { get; set; } = [];

    /// <summary>Endpoint override (a loopback fake in tests); null in production, where each region's endpoint is used.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>AMI per region (AMI ids are regional); <see cref="DefaultImageId"/> is used for regions not listed.</summary>
    public Dictionary<string, string> ImageIds { get; set; } = new(StringComparer.Ordinal);

    public string? DefaultImageId { get; set; }

    /// <summary>Subnet per availability zone (a subnet lives in exactly one zone); without one the default VPC is used.</summary>
    public Dictionary<string, string> SubnetIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Security groups per region (groups belong to a region's VPC); none means the VPC's default group.</summary>
    public Dictionary<string, List<string>> SecurityGroupIds { get; set; } = new(StringComparer.Ordinal);

    public string? KeyName { get; set; }

    /// <summary>Named profile from the shared AWS config files; null uses the SDK's default credential chain.</summary>
    public string? ProfileName { get; set; }

    public string? ImageFor(string region) => ImageIds.TryGetValue(region, out var image) ? image : DefaultImageId;
}
