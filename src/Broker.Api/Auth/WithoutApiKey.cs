namespace Broker.Api.Auth;

/// <summary>
/// Endpoint metadata: the endpoint checks its own credential (the instance callbacks' HMAC tokens), so the API key handler
/// leaves its Authorization header alone. Without it every forged bearer sent there would cost an API key lookup in the
/// database before the rate limiter sees the request, and a flood of them would slow real callbacks down.
/// </summary>
public sealed class WithoutApiKey;
