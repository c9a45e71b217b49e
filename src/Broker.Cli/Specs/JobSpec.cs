using System.Text.Json;
using System.Text.Json.Serialization;

namespace Broker.Cli.Specs;

// A job file: the body of POST /v1/jobs, in YAML, with the same camelCase field names. The contract test checks these
// properties against the request schema in Broker's OpenAPI document, both ways: the CLI sends no field the API lacks
// and can send every field the API takes. Values are checked by Broker (its 422 names the field), not here.

public sealed class JobSpec
{
    public string? Name { get; set; }

    public GpuSpec? Gpu { get; set; }

    public int? CpuCores { get; set; }

    public int? MemoryGb { get; set; }

    public string? Image { get; set; }

    public List<string>? Command { get; set; }

    public int? EstimatedDurationMinutes { get; set; }

    /// <summary>RFC 3339, passed through as written (YAML would otherwise re-format a timestamp).</summary>
    public string? Deadline { get; set; }

    public int? Priority { get; set; }

    public SpotSpec? Spot { get; set; }

    public decimal? MaxPricePerGpuHour { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Plain variables for the job (NAME: value).</summary>
    public Dictionary<string, string>? Env { get; set; }

    /// <summary>Variables whose values are secrets ops registered (NAME: secret name).</summary>
    public Dictionary<string, string>? SecretEnv { get; set; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

public sealed class GpuSpec
{
    public int? Count { get; set; }

    public List<string>? Models { get; set; }

    public int? MinMemoryGb { get; set; }

    public decimal? Share { get; set; }

    public string? MigProfile { get; set; }
}

public sealed class SpotSpec
{
    public bool? Allowed { get; set; }

    public int? CheckpointIntervalMinutes { get; set; }
}
