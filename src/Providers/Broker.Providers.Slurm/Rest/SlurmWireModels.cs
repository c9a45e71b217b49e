using System.Text.Json.Serialization;

namespace Broker.Providers.Slurm.Rest;

// The few fields of slurmrestd openapi/v0.0.38 that Broker reads or writes; everything else is ignored.

internal sealed record SlurmError(
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("error_number")] int? ErrorNumber,
    [property: JsonPropertyName("errno")] int? Errno,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("source")] string? Source)
{
    public int? Number => ErrorNumber ?? Errno;
}

internal sealed record SlurmErrorsResponse([property: JsonPropertyName("errors")] IReadOnlyList<SlurmError>? Errors);

internal sealed record SlurmNode(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("state")] string? State,
    [property: JsonPropertyName("state_flags")] IReadOnlyList<string>? StateFlags,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("gres")] string? Gres,
    [property: JsonPropertyName("gres_used")] string? GresUsed,
    [property: JsonPropertyName("cpus")] int? Cpus,
    [property: JsonPropertyName("real_memory")] long? RealMemory,
    [property: JsonPropertyName("partitions")] IReadOnlyList<string>? Partitions);

internal sealed record SlurmNodesResponse(
    [property: JsonPropertyName("nodes")] IReadOnlyList<SlurmNode>? Nodes,
    [property: JsonPropertyName("errors")] IReadOnlyList<SlurmError>? Errors);

internal sealed record SlurmJob(
    [property: JsonPropertyName("job_id")] long JobId,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("job_state")] string? JobState,
    [property: JsonPropertyName("nodes")] string? Nodes,
    [property: JsonPropertyName("start_time")] long? StartTime,
    [property: JsonPropertyName("end_time")] long? EndTime,
    [property: JsonPropertyName("exit_code")] int? ExitCode,
    [property: JsonPropertyName("tres_per_node")] string? TresPerNode,
    [property: JsonPropertyName("user_name")] string? UserName = null,
    [property: JsonPropertyName("user_id")] long? UserId = null,
    [property: JsonPropertyName("account")] string? Account = null,
    [property: JsonPropertyName("gres_detail")] IReadOnlyList<string>? GresDetail = null,
    [property: JsonPropertyName("cpus")] int? Cpus = null,
    [property: JsonPropertyName("memory_per_node")] long? MemoryPerNodeMb = null);

internal sealed record SlurmJobsResponse(
    [property: JsonPropertyName("jobs")] IReadOnlyList<SlurmJob>? Jobs,
    [property: JsonPropertyName("errors")] IReadOnlyList<SlurmError>? Errors);

/// <remarks>
/// <c>nodelist</c> pins the job (v0.0.38 disables <c>required_nodes</c> but accepts this sbatch <c>-w</c> alias); a gang
/// names every member there, with <c>nodes</c> = [members, members] (v0.0.38's min/max pair), one task per node and
/// <c>gres</c> per node. Slurm
/// opens <c>standard_output</c>/<c>standard_error</c> as the job's user before the script runs, so they must name files in
/// a directory that already exists.
/// </remarks>
internal sealed record SlurmJobProperties(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("partition"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Partition,
    [property: JsonPropertyName("gres")] string Gres,
    [property: JsonPropertyName("nodelist")] string NodeList,
    [property: JsonPropertyName("time_limit")] int TimeLimitMinutes,
    [property: JsonPropertyName("current_working_directory")] string CurrentWorkingDirectory,
    [property: JsonPropertyName("environment")] IReadOnlyDictionary<string, string> Environment,
    [property: JsonPropertyName("standard_output")] string StandardOutput,
    [property: JsonPropertyName("standard_error")] string StandardError,
    [property: JsonPropertyName("account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Account = null,
    [property: JsonPropertyName("cpus_per_task"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? CpusPerTask = null,
    [property: JsonPropertyName("memory_per_node"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MemoryPerNodeMb = null,
    [property: JsonPropertyName("nodes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? NodeCount = null,
    [property: JsonPropertyName("tasks"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Tasks = null,
    [property: JsonPropertyName("tasks_per_node"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TasksPerNode = null);

internal sealed record SlurmJobSubmission(
    [property: JsonPropertyName("job")] SlurmJobProperties Job,
    [property: JsonPropertyName("script")] string Script);

internal sealed record SlurmJobSubmissionResponse(
    [property: JsonPropertyName("job_id")] long? JobId,
    [property: JsonPropertyName("errors")] IReadOnlyList<SlurmError>? Errors);

[JsonSerializable(typeof(SlurmErrorsResponse))]
[JsonSerializable(typeof(SlurmNodesResponse))]
[JsonSerializable(typeof(SlurmJobsResponse))]
[JsonSerializable(typeof(SlurmJobSubmission))]
[JsonSerializable(typeof(SlurmJobSubmissionResponse))]
internal sealed partial class SlurmJsonContext : JsonSerializerContext;
