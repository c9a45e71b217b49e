using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Api.Contracts;

/// <summary>One provider as ops see it on <c>GET /v1/providers</c>.</summary>
public sealed record ProviderResponse(
    string Name, ComputeProviderKind Kind, ProviderHealthResponse Health, IReadOnlyList<OfferBlockResponse> Blocks,
    PriceRefreshResponse? LastPriceRefresh, CloudStopResponse? Drained = null);

/// <param name="Status"><c>healthy</c>, <c>unhealthy</c> (credentials refused: never retried) or <c>unknown</c> (no call yet).</param>
/// <param name="Circuit">Shared by every replica: <c>Closed</c> (calls go through), <c>Open</c> (repeated 5xx or timeouts: calls are
/// refused unsent until <paramref name="RefusingUntil"/>, then one probe goes) or <c>HalfOpen</c> (one probe is under way).</param>
/// <param name="ConsecutiveFailures">Transient failures (5xx, timeouts) in a row; the circuit opens at the configured count.</param>
public sealed record ProviderHealthResponse(string Status, string? ErrorCode, string? ErrorMessage, DateTimeOffset? At,
    CircuitState Circuit = CircuitState.Closed, int ConsecutiveFailures = 0, DateTimeOffset? RefusingUntil = null);

/// <param name="Target">What is blocked, e.g. <c>aws/us-east-1/-/p5.48xlarge/Spot</c> for an offering, <c>aws/us-east-1</c> for a region.</param>
public sealed record OfferBlockResponse(BlockScope Scope, string Target, string Reason, DateTimeOffset Until);

public sealed record PriceRefreshResponse(DateTimeOffset At, bool Succeeded, int OffersUpdated, int QuotesApplied, int QuotesUnknown,
    int QuotesRejected, string? Reason);

/// <param name="Bursting">The kill switch and drains (<c>/v1/bursting</c>).</param>
public sealed record ProviderListResponse(IReadOnlyList<ProviderResponse> Items, BurstingResponse? Bursting = null);

public static class ProviderMapping
{
    public static ProviderHealthResponse ToResponse(this ProviderStatus? status) => status is null
        ? new ProviderHealthResponse("unknown", null, null, null)
        : new ProviderHealthResponse(status.Healthy ? "healthy" : "unhealthy", status.LastErrorCode, status.LastErrorMessage, status.At,
            status.Circuit, status.ConsecutiveFailures, status.RefusingUntil);

    public static PriceRefreshResponse ToResponse(this PriceRefreshRun run) => new(run.At, run.Succeeded, run.OffersUpdated,
        run.QuotesApplied, run.QuotesUnknown, run.QuotesRejected, run.Reason);

    /// <summary>Cache keys read <c>scope:provider/…</c> (see <see cref="UnavailableOfferCache"/>): the provider is the first segment.</summary>
    public static (string Provider, string Target) SplitBlockKey(string cacheKey)
    {
        var target = cacheKey[(cacheKey.IndexOf(':', StringComparison.Ordinal) + 1)..];
        return (target.Split('/')[0], target);
    }
}
