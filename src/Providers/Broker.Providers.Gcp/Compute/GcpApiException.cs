using System.Net.Http.Json;
using System.Text.Json;

namespace Broker.Providers.Gcp.Compute;

/// <summary>
/// A Compute Engine call failed: either synchronously (HTTP status plus <c>error.errors[].reason</c>) or asynchronously
/// (an operation that finished with <c>error.errors[].code</c>, and its <c>httpErrorStatusCode</c>).
/// <see cref="GcpErrorMap"/> turns it into a <see cref="Broker.Core.Provisioning.ProviderException"/>.
/// </summary>
public sealed class GcpApiException(int? httpStatus, IReadOnlyList<string> codes, string message, bool fromOperation,
    TimeSpan? retryAfter = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The HTTP status, or the failed operation's <c>httpErrorStatusCode</c>.</summary>
    public int? HttpStatus { get; } = httpStatus;

    /// <summary>HTTP <c>reason</c>s (<c>rateLimitExceeded</c>) or operation <c>code</c>s (<c>ZONE_RESOURCE_POOL_EXHAUSTED</c>).</summary>
    public IReadOnlyList<string> Codes { get; } = codes;

    public bool FromOperation { get; } = fromOperation;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    internal static async Task<GcpApiException> FromResponseAsync(HttpResponseMessage response, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        GoogleError? error = null;
        try
        {
            error = (await response.Content.ReadFromJsonAsync<GoogleErrorBody>(GcpJson.Options, cancellationToken))?.Error;
        }
        catch (JsonException)
        {
            // Proxies and load balancers answer with HTML; the status alone still classifies the failure.
        }
        var reasons = error?.Errors?.Select(e => e.Reason).OfType<string>().ToList() ?? [];
        var message = error?.Message ?? response.ReasonPhrase ?? $"HTTP {status}";
        return new GcpApiException(status, reasons, message, fromOperation: false, RetryAfterOf(response, clock));
    }

    internal static GcpApiException ForFailedOperation(GceOperation operation)
    {
        var items = operation.Error?.Errors ?? [];
        var codes = items.Select(e => e.Code).OfType<string>().ToList();
        var message = string.Join("; ", items.Select(e => e.Message).OfType<string>());
        return new GcpApiException(operation.HttpErrorStatusCode, codes,
            message.Length > 0 ? message : operation.HttpErrorMessage ?? "operation failed", fromOperation: true);
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider clock)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - clock.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
