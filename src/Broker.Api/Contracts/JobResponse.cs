using Broker.Core.Scheduling;

namespace Broker.Api.Contracts;

public sealed record JobResponse(
    Guid Id,
    string Team,
    string Name,
    string State,
    GpuRequestDto Gpu,
    int CpuCores,
    int MemoryGb,
    string Image,
    IReadOnlyList<string> Command,
    int EstimatedDurationMinutes,
    DateTimeOffset? Deadline,
    int Priority,
    SpotDto Spot,
    decimal? MaxPricePerGpuHour,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset SubmittedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<JobEventResponse>? Timeline,
    int Attempts,
    int Interruptions,
    int SavedProgressMinutes,
    DecisionView? Placement = null,
    IReadOnlyList<SegmentResponse>? Segments = null,
    JobCostResponse? Cost = null,
    RuntimePredictionResponse? Runtime = null,
    IReadOnlyDictionary<string, string>? Env = null,
    IReadOnlyDictionary<string, string>? SecretEnv = null);

/// <summary>
/// The runtime Broker predicts for the job from finished jobs like it (never above the estimate it was submitted with),
/// the central interval of <c>IntervalCoverage</c> nominal coverage, and once it succeeded the real runtime and the error
/// (predicted − actual, and that over actual).
/// </summary>
public sealed record RuntimePredictionResponse(double PredictedMinutes, double LowMinutes, double HighMinutes, double IntervalCoverage,
    string Basis, DateTimeOffset PredictedAt, double? ActualMinutes, double? ErrorMinutes, double? RelativeError, bool? WithinInterval);

/// <summary>USD, exact to 6 decimals: the ledger's entries plus what unpriced segments have accrued so far.</summary>
public sealed record JobCostResponse(decimal SoFarUsd, decimal OnDemandEquivalentUsd, decimal SavingsUsd, decimal? EstimateAtPlacementUsd,
    decimal? LatestEstimateUsd, int Entries, bool Final);

/// <summary>One run segment of a job: where it ran (or was meant to), how it is paid for, and how it ended.</summary>
/// <param name="MemberEnds">An ended cloud gang's members, each with how it ended: of an interrupted gang, the member the
/// provider reclaimed (<c>interrupted</c>, not billed by a provider that waives it) and the ones Broker terminated because
/// of it (<c>terminated</c>, billed).</param>
public sealed record SegmentResponse(Guid AllocationId, string Location, string? Node, string Provider, string? Region, string? Zone,
    string? InstanceType, string Market, string GpuModel, int Gpus, decimal PricePerHour, string State, string? End, string? EndReason,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, IReadOnlyList<string>? MemberNodes = null,
    int? Instances = null, IReadOnlyList<string>? MemberInstances = null, IReadOnlyList<MemberEndResponse>? MemberEnds = null);

/// <summary>How one member instance of a cloud gang ended; <c>member</c> is its position (0 = the first).</summary>
public sealed record MemberEndResponse(int Member, string? InstanceId, string? End, string? EndReason);

public sealed record JobEventResponse(DateTimeOffset At, string Kind, string Message);

public sealed record JobListResponse(IReadOnlyList<JobResponse> Items, string? NextCursor);
