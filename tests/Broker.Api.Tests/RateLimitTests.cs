using System.Net;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests;

public sealed class RateLimitedApp : BrokerApp
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RateLimiting:PermitsPerSecond"] = "1",
        ["RateLimiting:Burst"] = "3",
    };
}

public sealed class RateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    [Fact]
    public async Task A_key_over_its_limit_gets_429_with_retry_after_while_other_keys_go_on()
    {
        using var noisy = app.ClientWithKey(await app.CreateKeyAsync("submitter", "noisy"));
        using var quiet = app.ClientWithKey(await app.CreateKeyAsync("submitter", "quiet"));

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await noisy.GetAsync("/v1/jobs");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }
        using var other = await quiet.GetAsync("/v1/jobs");

        Assert.NotNull(limited);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After missing");
        (await JobApi.ProblemAsync(limited)).Dispose();
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        limited.Dispose();
    }
}
