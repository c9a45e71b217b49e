namespace Broker.Core.Placement;

/// <summary>
/// One purchasable cloud instance type in one region (and zone when known), with both market prices (USD per
/// instance-hour). An offer whose <see cref="BlockedReason"/> is set is skipped entirely; <see cref="SpotBlockedReason"/>
/// rules out only its spot market (for example after a spot capacity error or an interruption).
/// </summary>
/// <param name="SpotPricePerHour">Null when the offer has no spot market.</param>
/// <param name="SpotInterruptionsPerHour">Observed spot interruption rate (events per instance-hour).</param>
/// <param name="VCpus">vCPUs of one instance; null when the price data does not say (then CPUs never rule the offer out).</param>
/// <param name="MemoryGb">Memory of one instance (GB); null when the price data does not say.</param>
public sealed record CloudOffer(
    string Provider,
    string Region,
    string? Zone,
    string InstanceType,
    string GpuModel,
    int GpusPerInstance,
    int GpuMemoryGb,
    decimal OnDemandPricePerHour,
    decimal? SpotPricePerHour,
    double SpotInterruptionsPerHour,
    string? BlockedReason = null,
    string? SpotBlockedReason = null,
    int? VCpus = null,
    double? MemoryGb = null)
{
    /// <summary>True when one instance has the CPU cores and memory the job asked for (unknown sizes fit).</summary>
    public bool Holds(PendingJob job) => (VCpus is not { } cpus || cpus >= job.CpuCores) && (MemoryGb is not { } memory || memory >= job.MemoryGb);

    public string Id => $"{Provider}/{Region}/{Zone ?? "-"}/{InstanceType}";
}
