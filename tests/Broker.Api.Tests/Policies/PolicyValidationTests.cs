using System.Net;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Policies;

/// <summary>One row per validation rule: each bad policy is refused with 422 naming the field and the reason, and nothing is stored.</summary>
public sealed class PolicyValidationTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    /// <summary>65 regions, one more than a list may hold.</summary>
    private const string TooManyRegions = """
        {"allowedRegions":[
        "r-0","r-1","r-2","r-3","r-4","r-5","r-6","r-7","r-8","r-9","r-10","r-11","r-12",
        "r-13","r-14","r-15","r-16","r-17","r-18","r-19","r-20","r-21","r-22","r-23","r-24","r-25",
        "r-26","r-27","r-28","r-29","r-30","r-31","r-32","r-33","r-34","r-35","r-36","r-37","r-38",
        "r-39","r-40","r-41","r-42","r-43","r-44","r-45","r-46","r-47","r-48","r-49","r-50","r-51",
        "r-52","r-53","r-54","r-55","r-56","r-57","r-58","r-59","r-60","r-61","r-62","r-63","r-64"
        ]}
        """;

    [Theory]
    [InlineData("""{"allowedProviders":["aws"],"allowedRegions":["mars-north-1"]}""", "allowedRegions[0]", "is not a region of aws")]
    [InlineData("""{"allowedProviders":["ibm-cloud"]}""", "allowedProviders[0]", "is not a provider Broker has offers for")]
    [InlineData("""{"maxPricePerGpuHour":{"onDemand":0.01}}""", "maxPricePerGpuHour.onDemand", "below every on-demand offer")]
    [InlineData("""{"maxPricePerGpuHour":{"spot":0.001}}""", "maxPricePerGpuHour.spot", "below every spot offer")]
    [InlineData("""{"markets":["spot-with-on-demand-fallback","spot"]}""", "markets", "contradictory markets")]
    [InlineData("""{"markets":["on-demand"],"maxPricePerGpuHour":{"spot":3}}""", "maxPricePerGpuHour.spot", "contradictory markets")]
    [InlineData("""{"markets":["spot","spot"]}""", "markets[1]", "named twice")]
    [InlineData("""{"markets":["reserved"]}""", "markets[0]", "is not a market")]
    [InlineData("""{"markets":[]}""", "markets", "at least one market")]
    [InlineData("""{"maxWaitBeforeBurstMinutes":-5}""", "maxWaitBeforeBurstMinutes", "must not be negative")]
    [InlineData("""{"deadlineMarginMinutes":-1}""", "deadlineMarginMinutes", "must not be negative")]
    [InlineData("""{"maxCloudGpus":-8}""", "maxCloudGpus", "must not be negative")]
    [InlineData("""{"maxCloudGpusGlobal":64}""", "maxCloudGpusGlobal", "only the global policy")]
    [InlineData("""{"leaseFactor":0.5}""", "leaseFactor", "between 1 and 100")]
    [InlineData("""{"fairShareWeight":0}""", "fairShareWeight", "greater than 0")]
    [InlineData("""{"maxPricePerGpuHour":{"onDemand":-2}}""", "maxPricePerGpuHour.onDemand", "greater than 0")]
    [InlineData("""{"markets":["spot"],"maxPricePerGpuHour":{"onDemand":3}}""", "maxPricePerGpuHour.onDemand", "contradictory markets")]
    [InlineData("""{"maxWaitBeforeBurstMinutes":600000}""", "maxWaitBeforeBurstMinutes", "must be at most 525600")]
    [InlineData("""{"leaseFactor":101}""", "leaseFactor", "between 1 and 100")]
    [InlineData("""{"fairShareWeight":1001}""", "fairShareWeight", "at most 1000")]
    [InlineData("""{"maxPricePerGpuHour":{"spot":10001}}""", "maxPricePerGpuHour.spot", "at most 10000 USD")]
    [InlineData(TooManyRegions, "allowedRegions", "at most 64 entries")]
    public async Task A_policy_that_breaks_a_rule_is_refused_with_422_naming_the_field(string body, string field, string reason)
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var response = await PolicyApi.PutAsync(ops, "validation", body, "\"0\"");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for {field}: {errors}");
        Assert.Contains(reason, messages[0].GetString(), StringComparison.Ordinal);
        var current = await PolicyApi.GetAsync(ops, "/v1/policies/validation");
        Assert.Equal(0, current["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_valid_override_in_a_real_region_with_a_reachable_cap_is_stored()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var response = await PolicyApi.PutAsync(ops, "valid-team",
            """{"allowedProviders":["aws"],"allowedRegions":["us-east-1"],"markets":["spot-with-on-demand-fallback"],"maxPricePerGpuHour":{"spot":50,"onDemand":50}}""", "\"0\"");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", response.Headers.ETag!.Tag);
    }

    [Theory]
    [InlineData("""{"maxWait":5}""")]
    [InlineData("""{"maxPricePerGpuHour":{"reserved":1}}""")]
    [InlineData("""{"burstingEnabled":"yes"}""")]
    public async Task Unknown_fields_and_wrong_types_are_refused_with_400(string body)
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var response = await PolicyApi.PutAsync(ops, "unknown-fields", body, "\"0\"");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
