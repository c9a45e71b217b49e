namespace Broker.Core.Policies;

/// <summary>
/// Fleet-wide limits that are not per team: the ops kill switch, drained providers and the global cloud-GPU cap, with
/// the cloud GPUs Broker holds right now (per team and in all).
/// </summary>
/// <param name="BurstingStopped">Why ops stopped every new cloud launch, or null when bursting runs.</param>
/// <param name="DrainedProviders">Providers ops drained (no new launch there), with why.</param>
/// <param name="MaxCloudGpus">Most cloud GPUs Broker may hold at once over all teams; null for no cap.</param>
/// <param name="CloudGpusInUse">Cloud GPUs held now per team (live cloud allocations).</param>
public sealed record CloudControls(
    string? BurstingStopped,
    IReadOnlyDictionary<string, string> DrainedProviders,
    int? MaxCloudGpus,
    IReadOnlyDictionary<string, int> CloudGpusInUse)
{
    public static CloudControls None { get; } = new(null, new Dictionary<string, string>(), null, new Dictionary<string, int>());
}
