using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Broker.Core.Capacity;
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
            // Deleting a placement group whose instances are not all terminated yet: the next round tries again.
            ["InvalidPlacementGroup.InUse"] = (ProviderErrorKind.Transient, BlockScope.None),
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
    public static ProviderException? Translate(Exception error, CancellationToken callerToken) => error switch
    {
        OperationCanceledException when callerToken.IsCancellationRequested => null,
        AmazonUnmarshallingException => Transient("UnreadableResponse", error),
        AmazonServiceException { ErrorCode.Length: > 0 } service => FromCode(service.ErrorCode, service.StatusCode, service.Message, service),
        AmazonServiceException service => FromStatus(service),
        HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException =>
            Transient("NetworkError", error),
        AmazonClientException { InnerException: HttpRequestException or IOException or SocketException } => Transient("NetworkError", error),
        // What is left of the SDK's client-side failures is credentials that cannot be resolved (no profile, no chain
        // source, a failing credential process) or configuration: retrying cannot help, the provider is unhealthy.
        AmazonClientException => new ProviderException(Provider, ProviderErrorKind.Auth, BlockScope.Provider, "CredentialsUnavailable",
            error.Message, inner: error),
        _ => null,
    };

    public static ProviderException FromCode(string code, HttpStatusCode status, string message, Exception? inner = null)
    {
        var (kind, scope) = Codes.TryGetValue(code, out var mapped)
            ? mapped
            : ((int)status >= 500 ? ProviderErrorKind.Transient : ProviderErrorKind.InvalidRequest, BlockScope.None);
        return new ProviderException(Provider, kind, scope, code, message, inner: inner);
    }

    /// <summary>An error answer without an EC2 error body (a proxy or load balancer spoke, or the connection broke).</summary>
    private static ProviderException FromStatus(AmazonServiceException error)
    {
        var status = (int)error.StatusCode;
        var kind = status switch
        {
            0 => ProviderErrorKind.Transient,
            429 => ProviderErrorKind.Throttled,
            401 or 403 => ProviderErrorKind.Auth,
            >= 500 => ProviderErrorKind.Transient,
            _ => ProviderErrorKind.InvalidRequest,
        };
        return new ProviderException(Provider, kind, kind == ProviderErrorKind.Auth ? BlockScope.Provider : BlockScope.None,
            status == 0 ? "NetworkError" : $"Http{status}", error.Message, inner: error);
    }

    private static ProviderException Transient(string code, Exception error) =>
        new(Provider, ProviderErrorKind.Transient, BlockScope.None, code, error.Message, inner: error);
}
