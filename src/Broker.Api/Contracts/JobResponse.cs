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
    IReadOnlyList<JobEventResponse>? Timeline);

public sealed record JobEventResponse(DateTimeOffset At, string Kind, string Message);

public sealed record JobListResponse(IReadOnlyList<JobResponse> Items, string? NextCursor);
