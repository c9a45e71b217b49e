namespace Broker.Providers.Gcp.Compute;

/// <summary>A zonal Operation: <c>status</c> goes PENDING, RUNNING, DONE; a DONE operation with <c>error.errors[]</c> failed.</summary>
public sealed record GceOperation
{
    public string? Name { get; init; }
    public string? Zone { get; init; }
    public string? OperationType { get; init; }
    public string? TargetLink { get; init; }
    public string? Status { get; init; }
    public GceOperationError? Error { get; init; }
    public int? HttpErrorStatusCode { get; init; }
    public string? HttpErrorMessage { get; init; }

    public bool IsDone => string.Equals(Status, "DONE", StringComparison.Ordinal);

    public bool Failed => Error?.Errors is { Count: > 0 };
}

public sealed record GceOperationError(IReadOnlyList<GceOperationErrorItem>? Errors);

public sealed record GceOperationErrorItem(string? Code, string? Message, string? Location);
