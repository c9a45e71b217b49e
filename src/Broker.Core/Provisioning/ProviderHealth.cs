using System.Collections.Concurrent;

namespace Broker.Core.Provisioning;

/// <summary>Last outcome of calls per provider; credential errors stay visible here until a call succeeds again.</summary>
public sealed class ProviderHealth(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, ProviderStatus> statuses = new(StringComparer.Ordinal);

    public void RecordSuccess(string provider) =>
        statuses[provider] = new ProviderStatus(provider, Healthy: true, null, null, clock.GetUtcNow());

    public void RecordFailure(ProviderException error) =>
        statuses[error.Provider] = new ProviderStatus(error.Provider, Healthy: error.Kind != ProviderErrorKind.Auth,
            error.ProviderCode, error.Message, clock.GetUtcNow());

    public IReadOnlyList<ProviderStatus> Snapshot() => statuses.Values.OrderBy(s => s.Provider, StringComparer.Ordinal).ToList();
}

public sealed record ProviderStatus(string Provider, bool Healthy, string? LastErrorCode, string? LastErrorMessage, DateTimeOffset At);
