namespace Broker.Core.Provisioning;

/// <summary>The tags (labels on GCP) every Broker instance carries; garbage collection lists by <see cref="Managed"/>.</summary>
public static class ManagedTags
{
    public const string Managed = "broker-managed";
    public const string Allocation = "broker-allocation";
    public const string Job = "broker-job";

    public static IReadOnlyDictionary<string, string> For(InstanceRequest request) => new Dictionary<string, string>
    {
        [Managed] = "true",
        [Allocation] = request.AllocationId.ToString(),
        [Job] = request.JobId.ToString(),
    };
}
