using System.Text.Json;
using System.Text.Json.Serialization;

namespace Broker.Core.WhatIf;

/// <summary>How what-if results and placements are stored: camelCase JSON.</summary>
public static class WhatIfJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new JsonException($"empty {typeof(T).Name}");
}
