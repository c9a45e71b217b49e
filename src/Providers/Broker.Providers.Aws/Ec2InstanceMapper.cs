using Amazon.EC2.Model;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using InstanceState = Broker.Core.Provisioning.InstanceState;

namespace Broker.Providers.Aws;

/// <summary>Reads an EC2 instance back into Broker's view, ids parsed from the managed tags.</summary>
internal static class Ec2InstanceMapper
{
    public static ProviderInstance ToProviderInstance(Instance instance, string region)
    {
        var tags = (instance.Tags ?? []).Where(t => t.Key is not null)
            .GroupBy(t => t.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        return new ProviderInstance(
            Provider: AwsComputeProvider.ProviderName,
            InstanceId: instance.InstanceId,
            Region: region,
            Zone: instance.Placement?.AvailabilityZone,
            InstanceType: instance.InstanceType?.Value ?? "",
            Market: instance.InstanceLifecycle?.Value == "spot" ? CapacityType.Spot : CapacityType.OnDemand,
            State: StateOf(instance.State?.Name?.Value),
            AllocationId: GuidTag(tags, ManagedTags.Allocation),
            JobId: GuidTag(tags, ManagedTags.Job),
            LaunchedAt: instance.LaunchTime is { } launched ? AsUtc(launched) : null);
    }

    private static InstanceState StateOf(string? name) => name switch
    {
        "pending" => InstanceState.Pending,
        "running" => InstanceState.Running,
        "terminated" => InstanceState.Terminated,
        // Broker never stops instances: stopping and stopped are on their way out like shutting-down.
        _ => InstanceState.ShuttingDown,
    };

    /// <summary>EC2 sends UTC timestamps; an unspecified kind is read as UTC, never as local time.</summary>
    public static DateTimeOffset AsUtc(DateTime time) => time.Kind == DateTimeKind.Local
        ? new DateTimeOffset(time.ToUniversalTime())
        : new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static Guid? GuidTag(Dictionary<string, string> tags, string key) =>
        tags.TryGetValue(key, out var value) && Guid.TryParse(value, out var id) ? id : null;
}
