using System.ComponentModel.DataAnnotations;

namespace Broker.Api.Contracts;

/// <summary>A job submission. The team comes from the caller's key; team, state, ids and costs are not fields here.</summary>
/// <param name="Env">Plain variables for the job, NAME to value (not secret: shown in the job's JSON). ADR 0015.</param>
/// <param name="SecretEnv">Variables whose values are secrets ops registered, NAME to the secret's name; the job's script
/// fetches the values at run time, and only the names are ever shown.</param>
public sealed record SubmitJobRequest(
    [property: Required, StringLength(128, MinimumLength = 1), RegularExpression(SubmitJobRequest.NamePattern,
        ErrorMessage = "Use letters, digits, '.', '_' and '-' (1-128 characters).")] string Name,
    [property: Required] GpuRequestDto Gpu,
    [property: Range(1, 1024)] int CpuCores,
    [property: Range(1, 16384)] int MemoryGb,
    [property: Required, StringLength(512, MinimumLength = 1)] string Image,
    [property: Required, MinLength(1), MaxLength(64)] string[] Command,
    [property: Range(1, 43200)] int EstimatedDurationMinutes,
    DateTimeOffset? Deadline,
    [property: Range(0, 100)] int Priority,
    SpotDto? Spot,
    [property: Range(0.0, 1000.0)] decimal? MaxPricePerGpuHour,
    Dictionary<string, string>? Labels,
    Dictionary<string, string>? Env = null,
    Dictionary<string, string>? SecretEnv = null)
{
    public const string NamePattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$";
}

/// <param name="Share">A fraction of one GPU, 0 &lt; share &lt; 1, only with <c>count: 1</c> and without <c>migProfile</c>. On-prem it is
/// rounded up to the node's shard granularity; the rounded share is reserved and billed.</param>
/// <param name="MigProfile">A MIG profile (<c>^[1-7]g\.[0-9]{1,3}gb$</c>, e.g. <c>1g.10gb</c>), only with <c>count: 1</c>, exclusive with
/// <c>share</c>.</param>
public sealed record GpuRequestDto(
    [property: Range(1, 64)] int Count,
    [property: MaxLength(16)] string[]? Models,
    [property: Range(1, 1024)] int? MinMemoryGb,
    decimal? Share = null,
    [property: MaxLength(16)] string? MigProfile = null);

public sealed record SpotDto(
    bool Allowed,
    [property: Range(1, 1440)] int? CheckpointIntervalMinutes);
