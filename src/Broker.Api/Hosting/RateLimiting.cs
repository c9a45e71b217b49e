using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Broker.Api.Endpoints;
using Broker.Api.ErrorHandling;
using Broker.Core.Provisioning;
using Microsoft.AspNetCore.RateLimiting;

namespace Broker.Api.Hosting;

/// <summary>
/// A token bucket per API key (per client address before authentication), answering 429 with Retry-After. Instance
/// callbacks have buckets of their own: one per allocation when the token is genuine and unexpired (checked by its HMAC,
/// no database), and a small one per client address for callbacks without a valid token, so anonymous traffic can never
/// make a real instance's callback wait or fail.
/// </summary>
public static class RateLimiting
{
    public class Bucket
    {
        public int PermitsPerSecond { get; set; } = 50;
        public int Burst { get; set; } = 100;
    }

    public sealed class Options : Bucket
    {
        /// <summary>Per allocation, for callbacks with a valid token (an instance posts a handful of events, plus retries).</summary>
        public Bucket Callbacks { get; set; } = new() { PermitsPerSecond = 10, Burst = 30 };

        /// <summary>Per client address, for callbacks whose token is missing, malformed, forged or expired.</summary>
        public Bucket UnauthenticatedCallbacks { get; set; } = new() { PermitsPerSecond = 2, Burst = 10 };
    }

    public static IServiceCollection AddBrokerRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("RateLimiting").Get<Options>() ?? new Options();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (context.Request.Path.StartsWithSegments("/health"))
                {
                    return RateLimitPartition.GetNoLimiter("health");
                }
                if (CallbackBearer.TryGetAllocationId(context.Request, out var allocationId))
                {
                    return CallbackPartition(context, allocationId, settings);
                }
                var partition = context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } keyId
                    ? "key:" + keyId
                    : "ip:" + context.Connection.RemoteIpAddress;
                return Bucketed(partition, settings);
            });
            limiter.OnRejected = OnRejected;
        });
        return services;
    }

    private static RateLimitPartition<string> CallbackPartition(HttpContext context, Guid allocationId, Options settings)
    {
        var tokens = context.RequestServices.GetRequiredService<CallbackTokens>();
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        return tokens.Check(allocationId, CallbackBearer.From(context.Request), now).IsValid
            ? Bucketed("callback:" + allocationId.ToString("N"), settings.Callbacks)
            : Bucketed("callback-unauthenticated:" + context.Connection.RemoteIpAddress, settings.UnauthenticatedCallbacks);
    }

    private static RateLimitPartition<string> Bucketed(string partition, Bucket bucket) =>
        RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = bucket.Burst,
            TokensPerPeriod = bucket.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static async ValueTask OnRejected(OnRejectedContext rejected, CancellationToken ct)
    {
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var who = CallbackBearer.TryGetAllocationId(rejected.HttpContext.Request, out _) ? "This allocation's callbacks" : "This API key";
        await ProblemResponses.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"{who} sent more requests than it may; retry after {seconds} s.");
    }
}
