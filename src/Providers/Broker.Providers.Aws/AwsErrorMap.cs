using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Broker.Core.Provisioning;

namespace Broker.Providers.Aws;

/// <summary>EC2 error codes translated into Broker's error kinds and block scopes.</summary>
internal static class AwsErrorMap
{
    private const string Provider = "aws";

    private static readonly FrozenDictionary<string, (ProviderErrorKind Kind, BlockScope Scope)> Codes =
        new Dictionary<string, (ProviderErrorKind, BlockScope)>(StringComparer.Ordinal)
        {
            ["InsufficientInstanceCapacity"] = (ProviderErrorKind.Capacity, BlockScope.Offering),
            ["SpotMaxPriceTooLow"] = (ProviderErrorKind.Capacity, BlockScope.Offering),
            ["MaxSpotInstanceCountExceeded"] = (ProviderErrorKind.Capacity, BlockScope.Region),
            ["VcpuLimitExceeded"] = (ProviderErrorKind.Capacity, BlockScope.Region),
            ["InstanceLimitExceeded"] = (ProviderErrorKind.Capacity, BlockScope.Region),
            ["Unsupported"] = (ProviderErrorKind.Capacity, BlockScope.Zone),
            ["RequestLimitExceeded"] = (ProviderErrorKind.Throttled, BlockScope.None),
            ["Unavailable"] = (ProviderErrorKind.Transient, BlockScope.None),
            ["InternalError"] = (ProviderErrorKind.Transient, BlockScope.None),
            ["UnauthorizedOperation"] = (ProviderErrorKind.Auth, BlockScope.Provider),
            ["AuthFailure"] = (ProviderErrorKind.Auth, BlockScope.Provider),
            ["InvalidClientTokenId"] = (ProviderErrorKind.Auth, BlockScope.Provider),
            ["SignatureDoesNotMatch"] = (ProviderErrorKind.Auth, BlockScope.Provider),
            ["ExpiredToken"] = (ProviderErrorKind.Auth, BlockScope.Provider),
            ["OptInRequired"] = (ProviderErrorKind.Auth, BlockScope.Provider),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Terminating an instance that EC2 does not know is success by the provider contract.</summary>
    public static bool IsUnknownInstance(AmazonServiceException e) =>
        e.ErrorCode is "InvalidInstanceID.NotFound" or "InvalidInstanceID.Malformed";

    /// <summary>Returns null for exceptions that are not the cloud's (cancellation by the caller, programming errors).</summary>
    public static ProviderException? Translate(Exception error, CancellationToken callerToken)
    {
        switch (error)
        {
            case AmazonServiceException service when !string.IsNullOrEmpty(service.ErrorCode):
                return FromCode(service.ErrorCode, service.StatusCode, service.Message, service);
            case AmazonServiceException service when (int)service.StatusCode >= 500:
                return new ProviderException(Provider, ProviderErrorKind.Transient, BlockScope.None,
                    $"Http{(int)service.StatusCode}", service.Message, inner: service);
            case OperationCanceledException when callerToken.IsCancellationRequested:
                return null;
            case HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException
                or AmazonClientException:
                return new ProviderException(Provider, ProviderErrorKind.Transient, BlockScope.None, "NetworkError",
                    error.Message, inner: error);
            default:
                return null;
        }
    }

    public static ProviderException FromCode(string code, HttpStatusCode status, string message, Exception? inner = null)
    {
        var (kind, scope) = Codes.TryGetValue(code, out var mapped)
            ? mapped
            : ((int)status >= 500 ? ProviderErrorKind.Transient : ProviderErrorKind.InvalidRequest, BlockScope.None);
        return new ProviderException(Provider, kind, scope, code, message, inner: inner);
    }
}
