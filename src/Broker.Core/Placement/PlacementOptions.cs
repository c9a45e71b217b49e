namespace Broker.Core.Placement;

/// <summary>Engine knobs that are not per-team policy.</summary>
/// <param name="CloudStartup">Billed boot time before a cloud instance does useful work.</param>
/// <param name="RecheckInterval">When a waiting job has nothing better to wait for, look again after this long.</param>
/// <param name="UnknownBusyEstimate">How long a busy on-prem GPU with no known running job is assumed to stay busy.</param>
/// <param name="NonCheckpointReworkFraction">Share of a run lost to an interruption when the job does not checkpoint.</param>
/// <param name="ExplainTopRejected">How many of the best rejected options each explanation keeps.</param>
/// <param name="UrgentWithin">The broker orders deadline jobs first (earliest latest-start first) once their latest
/// possible start is this close.</param>
public sealed record PlacementOptions(
    TimeSpan CloudStartup,
    TimeSpan RecheckInterval,
    TimeSpan UnknownBusyEstimate,
    double NonCheckpointReworkFraction = 0.5,
    int ExplainTopRejected = 3,
    TimeSpan? UrgentWithin = null)
{
    public static PlacementOptions Default { get; } =
        new(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));

    public TimeSpan Urgency => UrgentWithin ?? TimeSpan.FromHours(1);
}
