namespace Broker.Providers.Tests.Gcp.Fake;

/// <summary>
/// An error the fake injects into inserts of one machine type: synchronously as an HTTP error with
/// <c>error.errors[].reason</c>, or asynchronously as the insert operation's <c>error.errors[].code</c>.
/// </summary>
/// <param name="Times">How many inserts fail before the machine type works again.</param>
internal sealed record FakeFault(string Code, int HttpStatus, bool Async = false, int Times = int.MaxValue,
    TimeSpan? RetryAfter = null, string? Message = null)
{
    public static FakeFault Sync(string reason, int status, int times = int.MaxValue, TimeSpan? retryAfter = null, string? message = null) =>
        new(reason, status, Async: false, times, retryAfter, message);

    public static FakeFault InOperation(string code, int httpErrorStatusCode, string? message = null) =>
        new(code, httpErrorStatusCode, Async: true, Message: message);
}

/// <summary>One request the fake received.</summary>
internal sealed record FakeCall(string Method, string Path, string? RequestId, string? Authorization);
