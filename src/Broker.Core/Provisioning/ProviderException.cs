using Broker.Core.Capacity;

namespace Broker.Core.Provisioning;

/// <summary>A provider call failed. Adapters translate every cloud's own error codes into this one type.</summary>
public sealed class ProviderException : Exception
{
    public ProviderException(string provider, ProviderErrorKind kind, BlockScope scope, string providerCode, string message,
        TimeSpan? retryAfter = null, Exception? inner = null)
        : base($"{provider}: {providerCode}: {message}", inner)
    {
        Provider = provider;
        Kind = kind;
        Scope = scope;
        ProviderCode = providerCode;
        RetryAfter = retryAfter;
    }

    public string Provider { get; }
    public ProviderErrorKind Kind { get; }
    public BlockScope Scope { get; }
    /// <summary>The cloud's own code, e.g. <c>InsufficientInstanceCapacity</c> or <c>ZONE_RESOURCE_POOL_EXHAUSTED</c>.</summary>
    public string ProviderCode { get; }
    /// <summary>The provider's Retry-After, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; }
}
