namespace Broker.Core.Provisioning;

/// <summary>
/// One of Broker's placement groups as the provider lists it: an AWS cluster placement group, an Azure proximity placement
/// group or a GCP compact resource policy, named <see cref="CloudGang.PlacementGroupName"/> after its cloud gang's allocation.
/// </summary>
/// <param name="Region">Where it lives (the Azure location); what <see cref="IComputeProvider.DeletePlacementGroupAsync"/> is given back.</param>
/// <param name="CreatedAt">When the provider says it was created, if it says (GCE and the simulated clouds do; EC2 and ARM do not).</param>
public sealed record ProviderPlacementGroup(string Provider, string Region, string Name, DateTimeOffset? CreatedAt)
{
    /// <summary>The allocation the name was derived from; null for a name Broker would not have made.</summary>
    public Guid? AllocationId => CloudGang.AllocationOfPlacementGroup(Name);
}
