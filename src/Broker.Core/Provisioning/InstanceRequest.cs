using Broker.Core.Capacity;

namespace Broker.Core.Provisioning;

/// <summary>What a provider adapter needs to create one instance for one allocation.</summary>
/// <param name="AllocationId">The idempotency token: a retry with the same id never creates a second instance.</param>
/// <param name="MaxPricePerHour">Spot price cap per instance-hour; null means "up to on-demand".</param>
/// <param name="Member">A cloud gang member's position (0 .. <paramref name="Members"/> - 1); 0 for a single instance.</param>
/// <param name="Members">How many instances the gang has; 1 for a single instance.</param>
/// <param name="PlacementGroup">The gang's placement group (AWS cluster placement group, GCP compact resource policy, Azure
/// proximity placement group), created by the adapter if missing and referenced by the instance; null for a single instance.</param>
/// <param name="StartupScript">Shell script the instance runs at boot (cloud-init user data, custom data or startup-script metadata).</param>
public sealed record InstanceRequest(
    Guid AllocationId,
    Guid JobId,
    string Region,
    string? Zone,
    string InstanceType,
    CapacityType Market,
    decimal? MaxPricePerHour,
    string StartupScript,
    int Member = 0,
    int Members = 1,
    string? PlacementGroup = null)
{
    /// <summary>
    /// The token the create is idempotent by: the allocation id for a single instance or a gang's first member, a token
    /// derived from allocation and member for the others (<see cref="CloudGang.MemberToken"/>). The instance's tags still
    /// name the allocation, so every member is found by it (release, orphan GC, a lost create answer).
    /// </summary>
    public Guid IdempotencyToken => CloudGang.MemberToken(AllocationId, Member);
}
