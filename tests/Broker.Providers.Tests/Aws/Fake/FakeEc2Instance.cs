namespace Broker.Providers.Tests.Aws.Fake;

/// <summary>An instance held by the fake cloud.</summary>
public sealed class FakeEc2Instance
{
    public required string InstanceId { get; init; }
    public required string ReservationId { get; init; }
    public required string Region { get; init; }
    public required string Zone { get; init; }
    public required string InstanceType { get; init; }
    public required string ImageId { get; init; }
    public required DateTimeOffset LaunchTime { get; init; }
    /// <summary>"spot" for spot instances, null for on-demand (as EC2's instanceLifecycle).</summary>
    public string? Lifecycle { get; init; }
    public string? ClientToken { get; init; }
    public string? UserData { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> VolumeTags { get; init; } = new Dictionary<string, string>();
    public string State { get; set; } = "pending";
    /// <summary>The placement group it was launched into (RunInstances' Placement.GroupName), if any.</summary>
    public string? PlacementGroup { get; set; }

    public int StateCode => State switch
    {
        "pending" => 0,
        "running" => 16,
        "shutting-down" => 32,
        "terminated" => 48,
        "stopping" => 64,
        _ => 80,
    };
}

/// <summary>One spot price record (DescribeSpotPriceHistory item).</summary>
public sealed record FakeSpotPrice(string Region, string Zone, string InstanceType, string ProductDescription, decimal Price,
    DateTimeOffset Timestamp);
