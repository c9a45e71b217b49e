namespace Broker.Core.Provisioning;

public enum ProviderErrorKind
{
    /// <summary>No capacity, quota or price too low: block the scope, place elsewhere. Not retried in place.</summary>
    Capacity,
    /// <summary>Throttled (EC2 RequestLimitExceeded, HTTP 429, GCP rateLimitExceeded): retried with backoff in one layer only.</summary>
    Throttled,
    /// <summary>Credentials missing, expired or not allowed: never retried; shown on the provider health endpoint.</summary>
    Auth,
    /// <summary>The request itself is wrong (bad image, unknown instance type): not retried.</summary>
    InvalidRequest,
    /// <summary>A network fault or 5xx: safe to retry later because every create is idempotent.</summary>
    Transient,
}
