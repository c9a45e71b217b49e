using System.Text.Json;
using System.Text.Json.Serialization;

namespace Broker.Core.Policies;

/// <summary>How policy documents are stored: camelCase, fields not named left out, so a stored override shows only its changes.</summary>
public static class PolicyJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write(PolicyDocument doc) => JsonSerializer.Serialize(doc, Options);

    public static PolicyDocument Read(string json) => JsonSerializer.Deserialize<PolicyDocument>(json, Options) ?? PolicyDocument.Empty;
}
