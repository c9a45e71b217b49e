using System.Text.Json;

namespace Broker.Api.Contracts;

/// <summary>Enums travel as lower-case words (<c>pending</c>, <c>ondemand</c>), the same spelling the CSV exports use.</summary>
public sealed class JsonNaming : JsonNamingPolicy
{
    public static JsonNaming Instance { get; } = new();

    public override string ConvertName(string name) => name.ToLowerInvariant();

    public static string Wire<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
