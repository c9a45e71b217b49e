namespace Broker.Core.Policies;

/// <summary>What a team allows the broker to do when on-prem GPUs are busy.</summary>
/// <param name="AllowedProviders">Empty means every provider.</param>
/// <param name="AllowedRegions">Empty means every region.</param>
/// <param name="MaxWaitBeforeBurst">The longest a job should queue for on-prem before it bursts to the cloud.</param>
/// <param name="MaxPricePerGpuHour">Cap on what the job pays per GPU it uses per hour; null for none.</param>
/// <param name="OnPremRatePerGpuHour">Amortized on-prem cost, charged back to the team for finance comparisons.</param>
public sealed record BurstPolicy(
    string Team,
    bool AllowBurst,
    IReadOnlyList<string> AllowedProviders,
    IReadOnlyList<string> AllowedRegions,
    bool AllowSpot,
    TimeSpan MaxWaitBeforeBurst,
    decimal? MaxPricePerGpuHour,
    decimal OnPremRatePerGpuHour)
{
    public bool AllowsProvider(string provider) =>
        AllowedProviders.Count == 0 || AllowedProviders.Contains(provider, StringComparer.OrdinalIgnoreCase);

    public bool AllowsRegion(string region) =>
        AllowedRegions.Count == 0 || AllowedRegions.Contains(region, StringComparer.OrdinalIgnoreCase);
}
