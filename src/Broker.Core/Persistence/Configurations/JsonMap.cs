using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Broker.Core.Persistence.Configurations;

/// <summary>A string-to-string map stored as one jsonb object (job variables), compared by content for change tracking.</summary>
public static class JsonMap
{
    public static readonly ValueConverter<Dictionary<string, string>, string> Converter = new(
        map => JsonSerializer.Serialize(map, (JsonSerializerOptions?)null),
        json => new Dictionary<string, string>(JsonSerializer.Deserialize<Dictionary<string, string>>(json, (JsonSerializerOptions?)null) ?? new(),
            StringComparer.Ordinal));

    public static readonly ValueComparer<Dictionary<string, string>> Comparer = new(
        (a, b) => a!.Count == b!.Count && a.All(p => b.ContainsKey(p.Key) && b[p.Key] == p.Value),
        map => map.Aggregate(0, (hash, p) => HashCode.Combine(hash, p.Key, p.Value)),
        map => new Dictionary<string, string>(map, StringComparer.Ordinal));
}
