using System.Globalization;
using Azure;
using Azure.Identity;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Azure;

/// <summary>Translates Azure SDK failures (synchronous ARM errors, failed long-running operations, credential errors) into <see cref="ProviderException"/>.</summary>
internal static class AzureErrors
{
    private const string Provider = "azure";

    public static ProviderException Translate(Exception error, TimeProvider clock) => error switch
    {
        ProviderException already => already,
        RequestFailedException failed => FromArm(failed, clock),
        AuthenticationFailedException or CredentialUnavailableException =>
            new ProviderException(Provider, ProviderErrorKind.Auth, BlockScope.Provider, "CredentialFailed", FirstLine(error.Message), inner: error),
        _ => new ProviderException(Provider, ProviderErrorKind.Transient, BlockScope.None, error.GetType().Name, FirstLine(error.Message), inner: error),
    };

    public static bool IsNotFound(RequestFailedException error) => error.Status == 404;

    private static ProviderException FromArm(RequestFailedException error, TimeProvider clock)
    {
        var message = FirstLine(error.Message);
        var code = error.ErrorCode ?? (error.Status == 0 ? "NetworkError" : $"Http{error.Status}");
        var retryAfter = RetryAfter(error.GetRawResponse(), clock);
        if (AzureErrorTable.Find(error.ErrorCode, error.Message) is { } rule)
        {
            return new ProviderException(Provider, rule.Kind, rule.Scope, code, message, retryAfter, error);
        }
        var (kind, scope) = error.Status switch
        {
            429 => (ProviderErrorKind.Throttled, BlockScope.None),
            401 or 403 => (ProviderErrorKind.Auth, BlockScope.Provider),
            >= 400 and < 500 => (ProviderErrorKind.InvalidRequest, BlockScope.None),
            // 5xx, network faults (status 0) and failed operations with a code we do not know (status 200 of the poll).
            _ => (ProviderErrorKind.Transient, BlockScope.None),
        };
        return new ProviderException(Provider, kind, scope, code, message, retryAfter, error);
    }

    /// <summary>ARM sends Retry-After in seconds (or as an HTTP date); some services add retry-after-ms.</summary>
    private static TimeSpan? RetryAfter(Response? response, TimeProvider clock)
    {
        if (response is null)
        {
            return null;
        }
        foreach (var header in new[] { "retry-after-ms", "x-ms-retry-after-ms" })
        {
            if (response.Headers.TryGetValue(header, out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis))
            {
                return TimeSpan.FromMilliseconds(millis);
            }
        }
        if (!response.Headers.TryGetValue("Retry-After", out var value))
        {
            return null;
        }
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Max(0, seconds));
        }
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? TimeSpan.FromTicks(Math.Max(0, (at - clock.GetUtcNow()).Ticks))
            : null;
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end >= 0 ? message[..end] : message;
    }
}
