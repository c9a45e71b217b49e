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
/// <param name="Members">A cloud gang (ADR 0012): <paramref name="Members"/> instances of this type in this zone launched as one.
/// Then <paramref name="GpusPerInstance"/>, both prices and the interruption rate are the whole gang's (N x one instance), so
/// the search, the price caps, the budget and the cloud-GPU caps see the gang as one option; CPUs and memory stay per instance.</param>
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
    double? MemoryGb = null,
    int Members = 1)
{
    public bool IsGang => Members > 1;

    /// <summary>GPUs of one member instance (all of <see cref="GpusPerInstance"/> for a single instance).</summary>
    public int GpusPerMember => GpusPerInstance / Members;

    /// <summary>This single-instance offer as a gang of <paramref name="members"/> instances: every total times the count.</summary>
    public CloudOffer AsGang(int members) => this with
    {
        GpusPerInstance = GpusPerInstance * members, OnDemandPricePerHour = OnDemandPricePerHour * members,
        SpotPricePerHour = SpotPricePerHour * members, SpotInterruptionsPerHour = SpotInterruptionsPerHour * members, Members = members,
    };

    /// <summary>True when one instance has the CPU cores and memory the job asked for (unknown sizes fit).</summary>
    public bool Holds(PendingJob job) => (VCpus is not { } cpus || cpus >= job.CpuCores) && (MemoryGb is not { } memory || memory >= job.MemoryGb);

    public string Id => $"{Provider}/{Region}/{Zone ?? "-"}/{InstanceType}";
}
