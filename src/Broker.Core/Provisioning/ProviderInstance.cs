using Broker.Core.Capacity;

namespace Broker.Core.Provisioning;

public enum InstanceState
{
    Pending,
    Running,
    ShuttingDown,
    Terminated,
}

/// <summary>An instance as the provider reports it. Managed instances carry Broker's tags, parsed into the ids here.</summary>
public sealed record ProviderInstance(
    string Provider,
    string InstanceId,
    string Region,
    string? Zone,
    string InstanceType,
    CapacityType Market,
    InstanceState State,
    Guid? AllocationId,
    Guid? JobId,
    DateTimeOffset? LaunchedAt);
