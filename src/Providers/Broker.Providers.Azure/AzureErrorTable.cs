using System.Collections.Frozen;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Azure;

/// <summary>ARM error codes Broker treats specially; any other code falls back to its HTTP status (see <see cref="AzureErrors"/>).</summary>
internal static class AzureErrorTable
{
    internal sealed record Rule(ProviderErrorKind Kind, BlockScope Scope, Func<string, bool>? MessageMatches = null);

    private static readonly Func<string, bool> MentionsQuota = message => message.Contains("quota", StringComparison.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, Rule> Rules = new Dictionary<string, Rule>(StringComparer.OrdinalIgnoreCase)
    {
        ["AllocationFailed"] = new(ProviderErrorKind.Capacity, BlockScope.Offering),
        ["ZonalAllocationFailed"] = new(ProviderErrorKind.Capacity, BlockScope.Zone),
        ["SkuNotAvailable"] = new(ProviderErrorKind.Capacity, BlockScope.Offering),
        ["OverconstrainedAllocationRequest"] = new(ProviderErrorKind.Capacity, BlockScope.Offering),
        ["OverconstrainedZonalAllocationRequest"] = new(ProviderErrorKind.Capacity, BlockScope.Offering),
        // Core quotas (regional, per family, spot "LowPriorityCores") are per region and arrive as OperationNotAllowed.
        ["OperationNotAllowed"] = new(ProviderErrorKind.Capacity, BlockScope.Region, MentionsQuota),
        ["QuotaExceeded"] = new(ProviderErrorKind.Capacity, BlockScope.Region),
        ["TooManyRequests"] = new(ProviderErrorKind.Throttled, BlockScope.None),
        ["AuthorizationFailed"] = new(ProviderErrorKind.Auth, BlockScope.Provider),
        ["LinkedAuthorizationFailed"] = new(ProviderErrorKind.Auth, BlockScope.Provider),
        ["InvalidAuthenticationToken"] = new(ProviderErrorKind.Auth, BlockScope.Provider),
        ["InvalidAuthenticationTokenTenant"] = new(ProviderErrorKind.Auth, BlockScope.Provider),
        ["ExpiredAuthenticationToken"] = new(ProviderErrorKind.Auth, BlockScope.Provider),
        ["AuthenticationFailed"] = new(ProviderErrorKind.Auth, BlockScope.Provider),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static Rule? Find(string? code, string message) =>
        code is not null && Rules.TryGetValue(code, out var rule) && (rule.MessageMatches?.Invoke(message) ?? true) ? rule : null;
}
