using Broker.Core.Policies;

namespace Broker.Api.Contracts;

/// <summary>The policy of one scope as stored: <see cref="Version"/> is also its ETag (<c>"3"</c>); version 0 was never written.</summary>
public sealed record PolicyResponse(string Scope, int Version, PolicyDocument Document, DateTimeOffset? CreatedAt, Guid? CreatedByKey,
    int? RestoredFrom);

/// <summary>
/// A team's effective policy: every value, where it comes from (<c>team</c>, <c>global</c> or <c>configuration</c>), and
/// the on-prem rate the engine charges (configuration, <c>Placement:OnPremRatePerGpuHour</c>, until the cost ledger owns it).
/// </summary>
public sealed record EffectivePolicyResponse(string Team, PolicyDocument Values, IReadOnlyDictionary<string, string> Sources,
    decimal OnPremRatePerGpuHour);

public sealed record EffectivePolicyListResponse(IReadOnlyList<EffectivePolicyResponse> Items);

public sealed record PolicyVersionListResponse(string Scope, IReadOnlyList<PolicyResponse> Items);

public static class PolicyMapping
{
    public static PolicyResponse ToResponse(this PolicyState s) =>
        new(s.Scope, s.Version, s.Document, s.CreatedAt, s.CreatedByKey, s.RestoredFrom);

    public static string ETag(int version) => $"\"{version}\"";

    /// <summary>The version an If-Match header names (<c>"3"</c> or <c>W/"3"</c>), or -1 when it names none we could have sent.</summary>
    public static int VersionOf(string ifMatch)
    {
        var value = ifMatch.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }
        return value.Length is > 2 and < 12 && value[0] == '"' && value[^1] == '"'
            && int.TryParse(value.AsSpan(1, value.Length - 2), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var version) ? version : -1;
    }
}
