using System.Security.Cryptography;
using System.Text;
using Broker.Api.Auth;
using Microsoft.AspNetCore.Authorization;

namespace Broker.Api.Hosting;

/// <summary>
/// Who may read <c>/metrics</c>. With <c>Metrics:Port</c> set, the endpoint is open on that port only (bound to
/// <c>Metrics:Host</c>, default 127.0.0.1) and the port serves nothing else; the API port does not serve it at all.
/// Otherwise it is on the API port behind a bearer: the scrape key whose SHA-256 (hex) is <c>Metrics:BearerKeyHash</c>,
/// or an ops or admin API key. Never open to anonymous callers on the API port.
/// </summary>
public sealed class MetricsAccess
{
    public const string Path = "/metrics";
    public const string Policy = "metrics:scrape";

    private MetricsAccess(int? port, string host, byte[]? keyHash)
    {
        Port = port;
        Host = host;
        KeyHash = keyHash;
    }

    public int? Port { get; }

    public string Host { get; }

    private byte[]? KeyHash { get; }

    public static MetricsAccess From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Metrics");
        int? port = section["Port"] is { Length: > 0 } p
            ? int.TryParse(p, out var value) && value is > 0 and < 65536 ? value : throw new InvalidOperationException("Metrics:Port must be a TCP port (1-65535).")
            : null;
        byte[]? hash = null;
        if (section["BearerKeyHash"] is { Length: > 0 } hex)
        {
            hash = hex.Length == 64 && hex.All(char.IsAsciiHexDigit)
                ? Convert.FromHexString(hex)
                : throw new InvalidOperationException("Metrics:BearerKeyHash must be the SHA-256 of the scrape key as 64 hex digits (sha256sum).");
        }
        return new MetricsAccess(port, section["Host"] ?? "127.0.0.1", hash);
    }

    /// <summary>True when the request carries the configured scrape key (compared in constant time by hash).</summary>
    public bool HasScrapeKey(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (KeyHash is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, KeyHash);
    }
}

/// <summary>Passes the scrape policy for the scrape key or an ops/admin key.</summary>
public sealed class MetricsScrapeRequirement(MetricsAccess access)
    : AuthorizationHandler<MetricsScrapeRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MetricsScrapeRequirement requirement)
    {
        if (context.User.IsInRole(Roles.Ops) || context.User.IsInRole(Roles.Admin)
            || (context.Resource is HttpContext http && access.HasScrapeKey(http)))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
