using System.Text.Json;
using System.Text.Json.Serialization;

namespace Broker.Providers.Gcp;

internal static class GcpJson
{
    /// <summary>camelCase, nulls omitted, and Google's int64-as-string numbers accepted.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };
}
