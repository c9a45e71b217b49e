namespace Broker.Providers.Gcp.Compute;

/// <summary>Google's JSON error envelope: <c>{"error": {"code": 403, "message": ..., "errors": [{"reason": ..., "domain": ...}]}}</c>.</summary>
public sealed record GoogleErrorBody(GoogleError? Error);

public sealed record GoogleError(int Code, string? Message, string? Status, IReadOnlyList<GoogleErrorItem>? Errors);

public sealed record GoogleErrorItem(string? Reason, string? Domain, string? Message);
