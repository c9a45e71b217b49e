using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Simulated;

/// <summary>The errors each simulated cloud answers with, under the real cloud's own codes.</summary>
internal static class SimulatedCloudErrors
{
    public static ProviderException NoCapacity(string provider, InstanceRequest request, string why) =>
        new(provider, ProviderErrorKind.Capacity, BlockScope.Offering, (provider, request.Market, request.Zone) switch
        {
            ("aws", _, _) => "InsufficientInstanceCapacity",
            ("azure", CapacityType.Spot, _) => "SkuNotAvailable",
            ("azure", _, null) => "AllocationFailed",
            ("azure", _, _) => "ZonalAllocationFailed",
            _ => "ZONE_RESOURCE_POOL_EXHAUSTED",
        }, $"no {request.Market} capacity for {request.InstanceType} in {request.Zone ?? request.Region}: {why}");

    public static ProviderException MaxPriceTooLow(string provider, InstanceRequest request, decimal spotPrice) =>
        new(provider, ProviderErrorKind.Capacity, BlockScope.Offering,
            provider == "azure" ? "SpotPriceGreaterThanProvidedMaxPrice" : "SpotMaxPriceTooLow",
            $"max price {request.MaxPricePerHour} is below the spot price {spotPrice} of {request.InstanceType} in {request.Region}");

    public static ProviderException UnknownOffer(string provider, InstanceRequest request, string why) =>
        new(provider, ProviderErrorKind.InvalidRequest, BlockScope.None, provider switch
        {
            "aws" => "InvalidParameterValue",
            "azure" => "InvalidParameter",
            _ => "invalid",
        }, $"{request.InstanceType} ({request.Market}) in {request.Region}: {why}");

    public static ProviderException IdempotencyMismatch(string provider, InstanceRequest request) =>
        new(provider, ProviderErrorKind.InvalidRequest, BlockScope.None, provider switch
        {
            "aws" => "IdempotentParameterMismatch",
            "azure" => "OperationNotAllowed",
            _ => "alreadyExists",
        }, $"allocation {request.AllocationId} was created before with other parameters");

    /// <summary>The refusal to delete a placement group that still holds an instance: a transient error, retried next round.</summary>
    public static ProviderException PlacementGroupInUse(string provider, string group, string member) =>
        new(provider, ProviderErrorKind.Transient, BlockScope.None, provider switch
        {
            "aws" => "InvalidPlacementGroup.InUse",
            "azure" => "Conflict",
            _ => "resourceInUseByAnotherResource",
        }, $"placement group {group} is in use by {member}");
}
