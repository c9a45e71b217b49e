using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Policies;

/// <summary>The engine reads the policies from the database at each pass: a change shows in the next preview.</summary>
public sealed class PolicyEngineTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Fact]
    public async Task A_team_override_that_stops_bursting_takes_effect_at_the_next_pass()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var submitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "engine-team"));
        var job = (await JobApi.SubmitAsync(submitter)).Id();
        Assert.Equal("cloud", (await DecisionAsync(ops, job))["action"]!.GetValue<string>());

        await PolicyApi.ReplaceAsync(ops, "engine-team", """{"burstingEnabled":false}""");
        var decision = await DecisionAsync(ops, job);
        Assert.Equal("wait", decision["action"]!.GetValue<string>());
        Assert.Contains(decision["rejected"]!.AsArray(), r => r!["detail"]!.GetValue<string>().Contains("does not allow bursting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cloud_gpu_cap_of_zero_keeps_the_team_off_the_cloud_and_says_why()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var submitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "capped-team"));
        var job = (await JobApi.SubmitAsync(submitter)).Id();
        await PolicyApi.ReplaceAsync(ops, "capped-team", """{"maxCloudGpus":0}""");
        var decision = await DecisionAsync(ops, job);
        Assert.Equal("wait", decision["action"]!.GetValue<string>());
        Assert.Contains(decision["rejected"]!.AsArray(), r => r!["detail"]!.GetValue<string>().Contains("exceed its cap of 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_spot_only_market_places_on_spot_and_an_on_demand_only_market_on_demand()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var submitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "market-team"));
        var job = (await JobApi.SubmitAsync(submitter)).Id();
        await PolicyApi.ReplaceAsync(ops, "market-team", """{"markets":["on-demand"]}""");
        Assert.Equal("ondemand", (await DecisionAsync(ops, job))["market"]!.GetValue<string>());
        await PolicyApi.ReplaceAsync(ops, "market-team", """{"markets":["spot"]}""");
        Assert.Equal("spot", (await DecisionAsync(ops, job))["market"]!.GetValue<string>());
    }

    public static async Task<JsonObject> DecisionAsync(HttpClient ops, string jobId)
    {
        using var response = await ops.PostAsync("/v1/placement/preview", null);
        response.EnsureSuccessStatusCode();
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return body["decisions"]!.AsArray().Single(d => d!["jobId"]!.GetValue<string>() == jobId)!.AsObject();
    }
}
