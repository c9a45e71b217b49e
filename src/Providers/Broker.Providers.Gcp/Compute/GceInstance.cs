using System.Text.Json.Serialization;

namespace Broker.Providers.Gcp.Compute;

// Compute Engine v1 Instance, with only the fields Broker writes or reads. Output-only fields are null on insert.

public sealed record GceInstance
{
    public string? Name { get; init; }
    public string? Zone { get; init; }
    public string? MachineType { get; init; }
    public string? Status { get; init; }
    public string? CreationTimestamp { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public GceMetadata? Metadata { get; init; }
    public IReadOnlyList<GceAttachedDisk>? Disks { get; init; }
    public IReadOnlyList<GceNetworkInterface>? NetworkInterfaces { get; init; }
    public GceScheduling? Scheduling { get; init; }
    public IReadOnlyList<GceServiceAccount>? ServiceAccounts { get; init; }
    /// <summary>A cloud gang member's compact placement policy (ADR 0012), as a regional resourcePolicies path.</summary>
    public IReadOnlyList<string>? ResourcePolicies { get; init; }
}

/// <summary>A resource policy: here only a compact placement policy for the members of one cloud gang.</summary>
public sealed record GceResourcePolicy(string Name, string? Description, GceGroupPlacementPolicy GroupPlacementPolicy);

/// <summary>resourcePolicies.list in one region: <c>items</c> and <c>nextPageToken</c> (absent on the last page).</summary>
public sealed record GceResourcePolicyList(IReadOnlyList<GceListedResourcePolicy>? Items, string? NextPageToken);

/// <summary>A listed resource policy, with only what garbage collection reads; <c>status</c> is CREATING, READY, DELETING ...</summary>
public sealed record GceListedResourcePolicy(string? Name, string? Status, string? CreationTimestamp);

/// <summary><c>collocation</c> COLLOCATED puts the VMs close together (low latency); <c>vmCount</c> is how many will use it.</summary>
public sealed record GceGroupPlacementPolicy(string Collocation, int? VmCount);

public sealed record GceMetadata(IReadOnlyList<GceMetadataItem> Items);

public sealed record GceMetadataItem(string Key, string Value);

public sealed record GceAttachedDisk(bool Boot, bool AutoDelete, GceDiskInitializeParams InitializeParams);

public sealed record GceDiskInitializeParams(
    string SourceImage,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] long DiskSizeGb);

public sealed record GceNetworkInterface(string? Network, string? Subnetwork, IReadOnlyList<GceAccessConfig>? AccessConfigs);

public sealed record GceAccessConfig(string Type, string Name);

public sealed record GceScheduling
{
    /// <summary><c>STANDARD</c> or <c>SPOT</c>.</summary>
    public string? ProvisioningModel { get; init; }
    /// <summary>What happens to a preempted spot VM: <c>STOP</c> or <c>DELETE</c>.</summary>
    public string? InstanceTerminationAction { get; init; }
    /// <summary><c>MIGRATE</c> or <c>TERMINATE</c>; GPU VMs cannot live-migrate.</summary>
    public string? OnHostMaintenance { get; init; }
    public bool? AutomaticRestart { get; init; }
    /// <summary>Legacy preemptible VMs, still reported as spot.</summary>
    public bool? Preemptible { get; init; }
}

public sealed record GceServiceAccount(string Email, IReadOnlyList<string> Scopes);
