using Broker.Core.Capacity;

namespace Broker.Core.Provisioning;

/// <summary>What a provider adapter needs to create one instance for one allocation.</summary>
/// <param name="AllocationId">The idempotency token: a retry with the same id never creates a second instance.</param>
/// <param name="MaxPricePerHour">Spot price cap per instance-hour; null means "up to on-demand".</param>
/// <param name="StartupScript">Shell script the instance runs at boot (cloud-init user data, custom data or startup-script metadata).</param>
public sealed record InstanceRequest(
    Guid AllocationId,
    Guid JobId,
    string Region,
    string? Zone,
    string InstanceType,
    CapacityType Market,
    decimal? MaxPricePerHour,
    string StartupScript);
