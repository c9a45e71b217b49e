namespace Broker.Cli.Api;

// The parts of Broker's responses the CLI reads. Every property here must exist in the response schema of
// Broker's OpenAPI document (tests/Broker.Cli.Tests/OpenApiContractTests): a rename in the API fails that test.

public sealed record MeView(Guid KeyId, string Name, string Role, string? Team);

public sealed record GpuView(int Count, IReadOnlyList<string>? Models, int? MinMemoryGb, decimal? Share, string? MigProfile);

public sealed record JobEventView(DateTimeOffset At, string Kind, string Message);

public sealed record RejectedOptionView(string Option, string Reason, string Detail, decimal? ExpectedCost);

public sealed record PlacementView(string Action, string? Node, string? Provider, string? Region, string? InstanceType, string? Market,
    string? GpuModel, decimal? PricePerHour, decimal? ExpectedCost, string? WaitReason, DateTimeOffset? RetryAt, string Chosen,
    IReadOnlyList<RejectedOptionView> Rejected, DateTimeOffset DecidedAt);

public sealed record SegmentView(Guid AllocationId, string Location, string? Node, string Provider, string? Region, string? InstanceType,
    string Market, string GpuModel, int Gpus, decimal PricePerHour, string State, string? End, string? EndReason, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt);

public sealed record JobCostView(decimal SoFarUsd, decimal OnDemandEquivalentUsd, decimal SavingsUsd, bool Final);

public sealed record JobView(Guid Id, string Team, string Name, string State, GpuView Gpu, int CpuCores, int MemoryGb, string Image,
    DateTimeOffset SubmittedAt, DateTimeOffset UpdatedAt, IReadOnlyList<JobEventView>? Timeline, int Attempts,
    PlacementView? Placement, IReadOnlyList<SegmentView>? Segments, JobCostView? Cost)
{
    public bool IsTerminal => State is JobStates.Succeeded or JobStates.Failed or JobStates.Cancelled;
}

public static class JobStates
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

public sealed record JobPage(IReadOnlyList<JobView> Items, string? NextCursor);

public sealed record LogLineView(string Stream, string Text);

public sealed record LogPage(Guid JobId, Guid? Segment, bool Ended, long DroppedBytes, bool Truncated, IReadOnlyList<LogLineView> Lines);

public sealed record BudgetPeriodView(DateTimeOffset Start, DateTimeOffset End, decimal SpentUsd, decimal ReservedUsd, decimal CommittedUsd,
    decimal RemainingUsd, string State);

public sealed record BudgetView(string Team, decimal AmountUsd, decimal SoftLimitUsd, decimal HardLimitUsd, string Period, BudgetPeriodView? Current);

public sealed record TeamSpendView(string Team, decimal CloudCostUsd, decimal OnPremCostUsd, decimal CostUsd, decimal OnDemandCostUsd,
    decimal SavingsUsd, decimal GpuHours, BudgetView? Budget, decimal? BudgetUsedPercent, decimal ProjectedCloudCostUsd);

public sealed record CostSummaryView(string Month, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<TeamSpendView> Teams, decimal CostUsd,
    decimal SavingsUsd);

public sealed record OfferView(string Provider, string Region, string? Zone, string InstanceType, string GpuModel, int GpuCount, double? GpuMemoryGb,
    int VCpus, double MemoryGb, string Market, decimal PricePerHour, decimal PricePerGpuHour, double? InterruptionsPerHour, bool Blocked,
    string? BlockedReason);

public sealed record OfferPage(IReadOnlyList<OfferView> Items);
