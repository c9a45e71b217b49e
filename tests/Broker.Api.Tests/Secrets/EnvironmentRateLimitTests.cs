using System.Net;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Provisioning;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Secrets;

/// <summary>The API with a small per-allocation callback bucket and a generous per-key one.</summary>
public sealed class SmallCallbackBucketApp : BrokerApp
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RateLimiting:PermitsPerSecond"] = "100000",
        ["RateLimiting:Burst"] = "100000",
        ["RateLimiting:Callbacks:PermitsPerSecond"] = "1",
        ["RateLimiting:Callbacks:Burst"] = "3",
    };
}

/// <summary>The environment fetch is limited in its allocation's callback bucket, like the events it shares tokens with (ADR 0006).</summary>
public sealed class EnvironmentRateLimitTests(SmallCallbackBucketApp app) : IClassFixture<SmallCallbackBucketApp>
{
    [Fact]
    public async Task Fetches_with_one_allocations_token_share_its_callback_bucket_and_another_allocation_is_not_slowed()
    {
        var tokens = app.Services.GetRequiredService<CallbackTokens>();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        string Token(Guid allocation) => tokens.Issue(allocation, InstanceEventKind.Started, CallbackPurpose.CloudInstance, DateTimeOffset.UtcNow.AddHours(1));
        using var client = app.CreateClient();

        async Task<HttpStatusCode> FetchAsync(Guid allocation)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/instances/{allocation}/environment");
            request.Headers.Authorization = new("Bearer", Token(allocation));
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add(await FetchAsync(first));
        }
        var other = await FetchAsync(second);

        // No such allocation: 404 until the bucket of three is spent, then 429; the other allocation's own bucket is full.
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound], statuses[..3]);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses[3..]);
        Assert.Equal(HttpStatusCode.NotFound, other);
    }
}
