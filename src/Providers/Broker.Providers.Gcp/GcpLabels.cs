using Broker.Core.Provisioning;

namespace Broker.Providers.Gcp;

/// <summary>
/// <see cref="ManagedTags"/> as GCP labels. Label keys and values allow only lower-case letters, digits, <c>-</c> and
/// <c>_</c>, at most 63 characters; GUIDs in "D" format already fit, anything else is folded to that alphabet.
/// </summary>
public static class GcpLabels
{
    public const string ManagedFilter = $"labels.{ManagedTags.Managed}=true";

    public static Dictionary<string, string> For(InstanceRequest request) =>
        ManagedTags.For(request).ToDictionary(t => Sanitize(t.Key), t => Sanitize(t.Value), StringComparer.Ordinal);

    public static bool IsManaged(IReadOnlyDictionary<string, string>? labels) =>
        labels is not null && labels.TryGetValue(ManagedTags.Managed, out var v) && v == "true";

    public static Guid? IdOf(IReadOnlyDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) && Guid.TryParse(value, out var id) ? id : null;

    internal static string Sanitize(string raw)
    {
        var folded = new string(raw.ToLowerInvariant()
            .Select(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' ? c : '_').ToArray());
        return folded.Length > 63 ? folded[..63] : folded;
    }
}
