using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Gcp.Compute;

namespace Broker.Providers.Gcp;

/// <summary>
/// Compute Engine errors to <see cref="ProviderException"/> kind and block scope. First matching row wins; codes are the
/// HTTP <c>error.errors[].reason</c> or the operation's <c>error.errors[].code</c>.
/// <code>
/// code / status                                         kind            scope
/// ZONE_RESOURCE_POOL_EXHAUSTED(_WITH_DETAILS)           Capacity        Offering   (see below)
/// QUOTA_EXCEEDED, quotaExceeded                         Capacity        Region     (Provider when the quota is global)
/// rateLimitExceeded, userRateLimitExceeded,
///   RESOURCE_OPERATION_RATE_EXCEEDED, HTTP 429          Throttled       None       (Retry-After kept)
/// HTTP 401, HTTP 403 (forbidden, insufficientPermissions,
///   accessNotConfigured, anything else on 403)          Auth            Provider
/// resourceInUseByAnotherResource,
///   RESOURCE_IN_USE_BY_ANOTHER_RESOURCE                 Transient       None       (a policy whose instances are going)
/// HTTP 5xx                                              Transient       None
/// other 4xx, operation errors without a status          InvalidRequest  None
/// </code>
/// Stock-outs block the offering (machine type, zone and market), not the whole zone: GCE capacity pools are per machine
/// family and provisioning model, so an exhausted A100 pool says nothing about L4s in the same zone, and spot and
/// on-demand run out independently.
/// </summary>
public static class GcpErrorMap
{
    public const string Provider = "gcp";

    private static readonly string[] StockOut = ["ZONE_RESOURCE_POOL_EXHAUSTED", "ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS"];
    private static readonly string[] Quota = ["QUOTA_EXCEEDED", "quotaExceeded"];
    private static readonly string[] InUse = ["resourceInUseByAnotherResource", "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE"];
    private static readonly string[] RateLimit = ["rateLimitExceeded", "userRateLimitExceeded", "RESOURCE_OPERATION_RATE_EXCEEDED"];

    public static ProviderException ToProviderException(GcpApiException error)
    {
        var (kind, scope, code) = Classify(error);
        return new ProviderException(Provider, kind, scope, code, error.Message,
            kind == ProviderErrorKind.Throttled ? error.RetryAfter : null, error);
    }

    internal static (ProviderErrorKind Kind, BlockScope Scope, string Code) Classify(GcpApiException error)
    {
        var status = error.HttpStatus;
        if (Find(error, StockOut) is { } stockOut)
        {
            return (ProviderErrorKind.Capacity, BlockScope.Offering, stockOut);
        }
        if (Find(error, Quota) is { } quota)
        {
            var global = error.Message.Contains("globally", StringComparison.OrdinalIgnoreCase)
                || error.Message.Contains("ALL_REGIONS", StringComparison.Ordinal);
            return (ProviderErrorKind.Capacity, global ? BlockScope.Provider : BlockScope.Region, quota);
        }
        if (Find(error, RateLimit) is { } rateLimit)
        {
            return (ProviderErrorKind.Throttled, BlockScope.None, rateLimit);
        }
        if (Find(error, InUse) is { } inUse)
        {
            return (ProviderErrorKind.Transient, BlockScope.None, inUse);
        }
        var first = error.Codes.FirstOrDefault();
        return status switch
        {
            429 => (ProviderErrorKind.Throttled, BlockScope.None, first ?? "HTTP 429"),
            401 or 403 => (ProviderErrorKind.Auth, BlockScope.Provider, first ?? $"HTTP {status}"),
            >= 500 => (ProviderErrorKind.Transient, BlockScope.None, first ?? $"HTTP {status}"),
            _ => (ProviderErrorKind.InvalidRequest, BlockScope.None, first ?? (status is { } s ? $"HTTP {s}" : "OPERATION_FAILED")),
        };
    }

    private static string? Find(GcpApiException error, string[] codes) =>
        error.Codes.FirstOrDefault(c => codes.Contains(c, StringComparer.Ordinal));
}
